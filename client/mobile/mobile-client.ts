/**
 * @module
 * `QrLoginMobileClient`: what a phone app (or the demo phone page) calls after it read a QR
 * code — `scanned`, then `confirm` or `cancel` — plus the built-in user directory's `login`
 * and `register`, `logout`, `me` (is the token still good?), and the user's signed-in
 * browsers: `sessions` lists them, `signOut` ends one. The user token goes in
 * `Authorization: Bearer <token>`.
 *
 * Objects everywhere: every method that takes input takes one object (`arguments.ts`); the
 * positional forms of earlier versions still work and are marked `@deprecated`.
 */
import type { DecisionData, Lang, PublicUser, ScannedData, SessionData, SignedInBrowser, SignOutData } from '../../shared';
import { API, errorMessage, ERRORS } from '../../shared';
import type { MeData, SessionsData } from '../../shared/http';
import { errorCode, isNotLoggedIn } from '../common/errors';
import { defaultFetch, normalizeHost, QrLoginError, request, type FetchLike, type HttpContext } from '../common/http';
import {
  confirmArgs,
  loginArgs,
  qrArgs,
  registerArgs,
  signOutArgs,
  type ConfirmInput,
  type LoginInput,
  type QrInput,
  type RegisterInput,
  type SignOutInput,
} from './arguments';

/** Options of `new QrLoginMobileClient(…)`. */
export interface QrLoginMobileClientOptions {
  /** Origin of the qrlogin server, e.g. `https://login.example.com`. */
  host: string;
  /** The signed-in user's token (from your login, or {@link QrLoginMobileClient.login}). */
  token?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: FetchLike;
  /** Language of server messages; default `en`. */
  lang?: Lang;
}

/**
 * Phone-side client of a qrlogin server.
 *
 * @example
 * const phone = new QrLoginMobileClient({ host: 'https://login.example.com', token });
 * const qr = parseQrCode(textFromCamera);
 * const info = await phone.scanned(qr); // show info.app.name and info.requester
 * await phone.confirm(qr);              // or phone.cancel(qr)
 * await phone.logout();                     // when the user signs out of your app
 *
 * @example
 * // The browsers the user is signed in on, and signing one out.
 * const browsers = await phone.sessions(); // [{ id, app: { name }, browser, os, ip, createdAt }]
 * await phone.signOut({ id: browsers[0].id });
 *
 * @example
 * // Every call rejects with a QrLoginError; code 2020 means "sign the user in again".
 * try {
 *   await phone.me(); // e.g. when the app comes to the foreground
 * } catch (e) {
 *   if (isSignInRequired(e)) await reauthenticate(); // then phone.setToken(newToken)
 * }
 */
export class QrLoginMobileClient {
  private readonly http: HttpContext;
  private currentToken: string | null;

  constructor(options: QrLoginMobileClientOptions) {
    this.http = {
      host: normalizeHost(options.host),
      fetch: options.fetch ?? defaultFetch(),
      lang: options.lang === 'zh-CN' ? 'zh-CN' : 'en',
    };
    this.currentToken = options.token || null;
  }

  /** The user token in use, or `null`. */
  get token(): string | null {
    return this.currentToken;
  }

  /** Uses `token` for the next calls (`null` forgets it). */
  setToken(token: string | null): void {
    this.currentToken = token || null;
  }

  /**
   * Who the current token signs in, as the server sees it now: ask at start-up (or when the
   * app returns to the foreground) to learn that the token died before the user scans. The
   * client keeps the token whatever the answer; on 2020 sign the user in again and call
   * `setToken` with the new token.
   *
   * @throws {QrLoginError} 2020 when there is no token (no request is sent) or the server
   *   refuses it (revoked by `logout`, expired, or signed by another deployment's key): see
   *   `isSignInRequired(error)`. Code `0` (no answer), 429 or 503 say nothing about the token:
   *   keep it and try later.
   */
  async me(): Promise<PublicUser> {
    const data = await this.withToken((authorization) =>
      request<MeData>(this.http, { method: 'GET', path: API.me, headers: { authorization } }),
    );
    return data.user;
  }

  /**
   * Tells the server this user scanned the QR (0 → 1; repeating it is harmless) and learns who
   * is asking: show `app.name` and `requester` before the user approves. Takes `{ random }`,
   * so the result of `parseQrCode(text)` goes in as it is: `scanned(parseQrCode(text))`.
   *
   * @throws {QrLoginError} e.g. 2020 (not logged in), 2241, 2242, 2243; 400 at once (no
   *   request) when called without a `{ random }`.
   */
  scanned(input: QrInput): Promise<ScannedData>;
  /** @deprecated pass `{ random }` (e.g. `scanned(parseQrCode(text))`). */
  scanned(random: string): Promise<ScannedData>;
  scanned(input: QrInput | string): Promise<ScannedData> {
    return this.checked(() => qrArgs('scanned', input)).then(({ random }) => this.decide<ScannedData>(API.scanned, { random }));
  }

  /**
   * Approves the sign-in (1 → 2); only the user who scanned may. `matchCode`: the number the
   * user picked, when `scanned` returned `matchChoices` (number matching).
   *
   * @throws {QrLoginError} e.g. 2243 (already cancelled, scanned by someone else, wrong number);
   *   400 at once when called without a `{ random }`.
   */
  confirm(input: ConfirmInput): Promise<DecisionData>;
  /** @deprecated pass `{ random, matchCode? }`. */
  confirm(random: string, matchCode?: string): Promise<DecisionData>;
  confirm(input: ConfirmInput | string, matchCode?: string): Promise<DecisionData> {
    return this.checked(() => confirmArgs(input, matchCode)).then((body) => this.decide<DecisionData>(API.confirm, body));
  }

  /**
   * Denies the sign-in (0 or 1 → 3).
   *
   * @throws {QrLoginError} e.g. 2243 (already approved or denied); 400 at once when called
   *   without a `{ random }`.
   */
  cancel(input: QrInput): Promise<DecisionData>;
  /** @deprecated pass `{ random }`. */
  cancel(random: string): Promise<DecisionData>;
  cancel(input: QrInput | string): Promise<DecisionData> {
    return this.checked(() => qrArgs('cancel', input)).then(({ random }) => this.decide<DecisionData>(API.cancel, { random }));
  }

  /**
   * Signs in to the built-in user directory and keeps the returned token:
   * `login({ username, password })`.
   *
   * @throws {QrLoginError} e.g. 2333 (wrong username or password), 2028 (built-in accounts are
   *   off); 400 at once (no request) when called without `{ username, password }` strings.
   */
  async login(input: LoginInput): Promise<SessionData>;
  /** @deprecated pass `{ username, password }`. */
  async login(username: string, password: string): Promise<SessionData>;
  async login(input: LoginInput | string, password?: string): Promise<SessionData> {
    const body = loginArgs(input, password);
    const data = await request<SessionData>(this.http, { method: 'POST', path: API.login, body });
    this.currentToken = data.token;
    return data;
  }

  /**
   * Creates a user in the built-in directory and keeps the returned token:
   * `register({ username, password, nickname? })`.
   *
   * @throws {QrLoginError} e.g. 400 (field named), 2026 (username taken), 2027 (registration
   *   is disabled); 400 at once (no request) when called without `{ username, password }` strings.
   */
  async register(input: RegisterInput): Promise<SessionData> {
    const body = registerArgs(input);
    const data = await request<SessionData>(this.http, { method: 'POST', path: API.register, body });
    this.currentToken = data.token;
    return data;
  }

  /**
   * Signs this phone out: the server revokes the current token on every instance (other
   * phones of the same user stay signed in), and the client forgets it (`token` is `null`
   * afterwards) in every case, whatever the server answered.
   *
   * Resolves when the token is revoked now, was not valid any more anyway (2020: revoked,
   * expired, or from another deployment), or there was no token. Rejects with the
   * {@link QrLoginError} of any other failure (code `0` for a network failure, 429, 503, …):
   * the token is forgotten here all the same, but the server may still accept it until it
   * expires. To retry the revocation, read `token` before calling and call again after
   * `setToken(thatToken)`; a page that only wants to sign out can ignore the rejection.
   *
   * @throws {QrLoginError} any failure other than 2020.
   */
  async logout(): Promise<void> {
    const token = this.currentToken;
    if (!token) return;
    try {
      await request<Record<string, never>>(this.http, {
        method: 'POST',
        path: API.logout,
        headers: { authorization: `Bearer ${token}` },
      });
    } catch (error) {
      if (!isNotLoggedIn(errorCode(error))) throw error;
    } finally {
      // Only if no other token was set meanwhile (a login while the request was on its way).
      if (this.currentToken === token) this.setToken(null);
    }
  }

  /**
   * The browsers this user is signed in on: one entry per confirmed login a website took (with
   * the widget or OpenID Connect), newest first — `app.name`, `browser`, `os`, `ip` of the
   * browser that showed the QR, and `createdAt` (ISO 8601). Show them as WhatsApp shows linked
   * devices, each with a "Sign out" that calls {@link signOut}.
   *
   * @throws {QrLoginError} 2020 when there is no token (no request is sent) or the server
   *   refuses it; 429 when rate limited; `0` without an answer.
   */
  async sessions(): Promise<SignedInBrowser[]> {
    const data = await this.withToken((authorization) =>
      request<SessionsData>(this.http, { method: 'GET', path: API.sessions, headers: { authorization } }),
    );
    return data.sessions;
  }

  /**
   * Signs one browser out: `signOut({ id })` with the `id` of an entry of {@link sessions}.
   * The server ends that session and tells the website (OpenID Connect Back-Channel Logout),
   * which signs the browser out. `signedOut` lists every session that ended with it (a
   * browser's OpenID Connect sign-in ends as a whole).
   *
   * @throws {QrLoginError} 404 (`QR_LOGIN_ERROR_CODES.NOT_FOUND`) when the session is unknown
   *   or already signed out — treat it as done and list the sessions again; 2020 when there is
   *   no token or the server refuses it; 400 at once (no request) when called without `{ id }`.
   */
  signOut(input: SignOutInput): Promise<SignOutData> {
    return this.checked(() => signOutArgs(input)).then(({ id }) =>
      this.withToken((authorization) =>
        request<SignOutData>(this.http, {
          method: 'DELETE',
          path: `${API.sessions}/${encodeURIComponent(id)}`,
          headers: { authorization },
        }),
      ),
    );
  }

  private decide<T>(path: string, body: QrInput | ConfirmInput): Promise<T> {
    return this.withToken((authorization) => request<T>(this.http, { method: 'POST', path, body, headers: { authorization } }));
  }

  /** `read()`'s result, or a rejection with the error it threw (wrong arguments). */
  private checked<T>(read: () => T): Promise<T> {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Runs `call` with the bearer header, or rejects with 2020 without a request when there is no token. */
  private withToken<T>(call: (authorization: string) => Promise<T>): Promise<T> {
    if (!this.currentToken) {
      return Promise.reject(new QrLoginError(ERRORS.NOT_LOGGED_IN.code, errorMessage('NOT_LOGGED_IN', this.http.lang)));
    }
    return call(`Bearer ${this.currentToken}`);
  }
}
