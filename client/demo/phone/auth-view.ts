/**
 * @module
 * Signing in and out on the demo phone page: the log in / create account form
 * (`#auth-view`), the user's name in the top bar (`#whoami`), and "Log out" (`#logout`),
 * which revokes the token on the server before the phone forgets it.
 */
import type { PublicUser, QrLoginMobileClient } from '../../mobile';
import { byId } from '../dom';
import type { Feedback } from './feedback';
import type { ShowScreen } from './screens';
import { forgetSession, saveSession, savedUser } from './storage';

/** What the rest of the page needs of the session. */
export interface AuthView {
  /** Forgets the token and the user here (no server call) and shows the sign-in form. */
  signOut(): void;
  /** Where the page starts: signed in with the remembered token, or the sign-in form. */
  resume(): void;
}

export interface AuthViewDeps {
  client: QrLoginMobileClient;
  feedback: Feedback;
  show: ShowScreen;
  /** Signed in: on to scanning. */
  onSignedIn(): void;
  /** About to sign out: let go of what the other views hold (camera, QR). */
  onSignOut(): void;
}

/** Wires the form and the log out button. */
export function createAuthView({ client, feedback, show, onSignedIn, onSignOut }: AuthViewDeps): AuthView {
  const whoami = byId('whoami');
  const username = byId<HTMLInputElement>('username');
  const password = byId<HTMLInputElement>('password');
  const nickname = byId<HTMLInputElement>('nickname');
  const loginButton = byId<HTMLButtonElement>('login');
  const registerButton = byId<HTMLButtonElement>('register');
  const logoutButton = byId<HTMLButtonElement>('logout');

  const signedIn = (user: PublicUser | null): void => {
    whoami.textContent = user ? user.nickname || user.username : '';
    whoami.hidden = !user;
    password.value = '';
    onSignedIn();
  };

  const signOut = (): void => {
    onSignOut();
    client.setToken(null);
    forgetSession();
    whoami.hidden = true;
    show('auth');
  };

  const remember = (token: string, user: PublicUser): void => {
    saveSession(token, user);
    signedIn(user);
  };

  byId<HTMLFormElement>('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void feedback.busy([loginButton, registerButton], async () => {
      const session = await client.login(username.value.trim(), password.value);
      remember(session.token, session.user);
    });
  });

  registerButton.addEventListener('click', () => {
    void feedback.busy([loginButton, registerButton], async () => {
      const nick = nickname.value.trim();
      const session = await client.register({
        username: username.value.trim(),
        password: password.value,
        ...(nick ? { nickname: nick } : {}),
      });
      remember(session.token, session.user);
    });
  });

  logoutButton.addEventListener('click', () => {
    feedback.clear();
    logoutButton.disabled = true;
    // Revoke the token on the server first (every instance refuses it from then on). Best
    // effort: when the server cannot be reached the phone still signs out here; the token then
    // lapses at its expiry.
    client
      .logout()
      .catch(() => undefined)
      .finally(() => {
        logoutButton.disabled = false;
        signOut();
      });
  });

  const resume = (): void => {
    if (client.token) signedIn(savedUser());
    else signOut();
  };

  return { signOut, resume };
}
