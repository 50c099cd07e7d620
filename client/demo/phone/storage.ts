/**
 * @module
 * What the demo phone page remembers between visits: the user token and the signed-in user,
 * in `localStorage`. Private browsing may refuse storage: the page still works, it just
 * forgets.
 */
import type { PublicUser } from '../../mobile/index';

const TOKEN_KEY = 'qrlogin.demo.token';
const USER_KEY = 'qrlogin.demo.user';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // not persisted; fine for a demo
  }
}

/** The remembered user token, or `null`. */
export function savedToken(): string | null {
  return read(TOKEN_KEY);
}

/** The remembered user, or `null`. */
export function savedUser(): PublicUser | null {
  const raw = read(USER_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as PublicUser;
  } catch {
    return null;
  }
}

/** Remembers a fresh sign-in. */
export function saveSession(token: string, user: PublicUser): void {
  write(TOKEN_KEY, token);
  write(USER_KEY, JSON.stringify(user));
}

/**
 * Remembers a token handed to the page (its address's fragment) whose user is not known yet:
 * the user remembered for another token is forgotten.
 */
export function saveToken(token: string): void {
  write(TOKEN_KEY, token);
  write(USER_KEY, null);
}

/** Forgets the token and the user. */
export function forgetSession(): void {
  write(TOKEN_KEY, null);
  write(USER_KEY, null);
}
