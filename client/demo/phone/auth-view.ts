/**
 * @module
 * Signing in and out on the demo phone page: the log in / create account form
 * (`#auth-view`), the user's name in the top bar (`#whoami`), and "Log out" (`#logout`),
 * which revokes the token on the server before the phone forgets it.
 *
 * At load a remembered token is checked with the server (`me`) before the user can scan: a
 * dead one (2020) is forgotten and the form says "Please sign in again", as it does when any
 * later call finds the token dead. No answer, 429 or 503 at load prove nothing: the page keeps
 * the token and goes on to scanning (a later call will tell).
 *
 * A token handed to the page (`/mobile#token=…`, `handoff.ts`) takes the place of the
 * remembered one and goes through the same check; "Log out" revokes it the same way.
 */
import { QR_LOGIN_ERROR_CODES, errorCode, isSignInRequired, type PublicUser, type QrLoginMobileClient } from '../../mobile/index';
import { byId } from '../dom';
import type { Feedback } from './feedback';
import { createFieldMarks, loginProblem, registerProblems, serverFieldProblems } from './fields';
import type { ShowScreen } from './screens';
import { forgetSession, saveSession, saveToken, savedUser } from './storage';
import type { PhoneStrings } from './strings';

/** How long the check of a remembered token may keep the user waiting before they may scan. */
const CHECK_PATIENCE_MS = 3000;

/** Answers of `login`/`register` that mean this server does not create accounts. */
const NO_REGISTRATION: readonly number[] = [QR_LOGIN_ERROR_CODES.REGISTRATION_DISABLED, QR_LOGIN_ERROR_CODES.BUILTIN_USERS_DISABLED];

/** What the rest of the page needs of the session. */
export interface AuthView {
  /**
   * Forgets the token and the user here (no server call) and shows the sign-in form; with
   * `expired`, the form says "Please sign in again" (the server refused the token).
   */
  signOut(expired?: boolean): void;
  /** Where the page starts: the remembered token once the server accepts it, or the sign-in form. */
  resume(): void;
  /**
   * Takes a token handed to the page in place of any other (no server call for the one it
   * replaces), remembers it, and checks it as {@link AuthView.resume} does.
   */
  adopt(token: string): void;
}

export interface AuthViewDeps {
  client: QrLoginMobileClient;
  strings: PhoneStrings;
  feedback: Feedback;
  show: ShowScreen;
  /** Signed in: on to scanning. */
  onSignedIn(): void;
  /** About to sign out: let go of what the other views hold (camera, QR). */
  onSignOut(): void;
}

/** Wires the form and the log out button. */
export function createAuthView({ client, strings, feedback, show, onSignedIn, onSignOut }: AuthViewDeps): AuthView {
  const whoami = byId('whoami');
  const notice = byId('auth-notice');
  const username = byId<HTMLInputElement>('username');
  const password = byId<HTMLInputElement>('password');
  const nickname = byId<HTMLInputElement>('nickname');
  const nicknameLabel = byId('nickname-label');
  const loginButton = byId<HTMLButtonElement>('login');
  const registerButton = byId<HTMLButtonElement>('register');
  const logoutButton = byId<HTMLButtonElement>('logout');
  const marks = createFieldMarks(strings);

  const showUser = (user: PublicUser | null): void => {
    whoami.textContent = user ? user.nickname || user.username : '';
    whoami.hidden = !user;
  };

  const signedIn = (user: PublicUser | null): void => {
    showUser(user);
    password.value = '';
    notice.hidden = true;
    onSignedIn();
  };

  const signOut = (expired = false): void => {
    onSignOut();
    marks.clear();
    client.setToken(null);
    forgetSession();
    whoami.hidden = true;
    notice.textContent = expired ? strings.signInAgain : '';
    notice.hidden = !expired;
    show('auth');
  };

  const remember = (token: string, user: PublicUser): void => {
    saveSession(token, user);
    signedIn(user);
  };

  /** The server creates no accounts (2027, or 2028: its accounts are off): stop offering one. */
  const closeRegistration = (): void => {
    registerButton.hidden = true;
    nicknameLabel.hidden = true;
    nickname.hidden = true;
    byId('nickname-problem').hidden = true;
  };

  /** Runs a sign-in call; its error (the page's sentence for it) lands in the error box. */
  const attempt = (call: () => Promise<{ token: string; user: PublicUser }>): void => {
    void feedback.busy([loginButton, registerButton], async () => {
      try {
        const session = await call();
        remember(session.token, session.user);
      } catch (error) {
        if (NO_REGISTRATION.includes(errorCode(error))) closeRegistration();
        if (marks.show(serverFieldProblems(error) ?? {})) feedback.say(strings.fixFields);
        else throw error;
      }
    });
  };

  byId<HTMLFormElement>('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    marks.clear();
    const fields = { username: username.value.trim(), password: password.value };
    // An empty form is answered here: no request, no "wrong username or password".
    const missing = loginProblem(fields.username, fields.password);
    if (missing) feedback.say(strings[missing]);
    else attempt(() => client.login(fields));
  });

  registerButton.addEventListener('click', () => {
    const fields = { username: username.value.trim(), password: password.value, nickname: nickname.value.trim() };
    // Every problem at once, under its field; the server would name only the first.
    if (marks.show(registerProblems(fields))) {
      feedback.say(strings.fixFields);
      return;
    }
    const { nickname: nick, ...account } = fields;
    attempt(() => client.register(nick ? { ...account, nickname: nick } : account));
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
    const token = client.token;
    if (!token) {
      signOut();
      return;
    }
    show('checking');
    let started = false;
    /** On to scanning with the remembered token (once). */
    const start = (user: PublicUser | null): void => {
      if (started) return;
      started = true;
      signedIn(user);
    };
    const patience = setTimeout(() => start(savedUser()), CHECK_PATIENCE_MS);
    client.me().then(
      (user) => {
        clearTimeout(patience);
        if (client.token !== token) return; // signed out or in again meanwhile
        saveSession(token, user);
        if (started) showUser(user);
        else start(user);
      },
      (error: unknown) => {
        clearTimeout(patience);
        if (client.token !== token) return;
        if (isSignInRequired(error)) signOut(true);
        else start(savedUser());
      },
    );
  };

  const adopt = (token: string): void => {
    onSignOut();
    feedback.clear();
    showUser(null);
    client.setToken(token);
    saveToken(token);
    resume();
  };

  return { signOut, resume, adopt };
}
