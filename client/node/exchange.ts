/**
 * @module
 * `exchangeTicket`: the website's backend redeems the ticket its page received, with the app
 * secret (`POST /api/v2/qrcode/userinfo`, `Authorization: Bearer <app secret>`).
 */
import { API, type UserInfoData } from '../../shared';
import { QrLoginError, defaultFetch, normalizeHost, request, type FetchLike } from '../common/http';

export interface ExchangeTicketOptions {
  /** Where qrlogin is, e.g. `https://login.example.com`. */
  host: string;
  /** Your app id (`id` in qrlogin's `APPS_FILE`). */
  appId: string;
  /** Your app's secret (the one whose hash, or itself, is in `APPS_FILE`). Never send it to a browser. */
  appSecret: string;
  /** The `fetch` to use (default: the global one). */
  fetch?: FetchLike;
  /** Give up after this many milliseconds (default 10000): `QrLoginError` code 0. */
  timeoutMs?: number;
}

/** The user a ticket signs in, with `token`: a signed ID token (see `verifyIdToken`). */
export type ExchangedUser = UserInfoData;

function isUserInfo(value: unknown): value is UserInfoData {
  const user = value as Partial<UserInfoData> | null;
  return typeof user === 'object' && user !== null && typeof user.id === 'string' && typeof user.token === 'string';
}

/**
 * Redeems a ticket (a ticket works once, for about a minute) for the user it signs in.
 *
 * @throws {QrLoginError} `code` is the server's envelope code — 2244 the ticket is invalid,
 *   expired or already used; 401 the app secret is wrong; 403 the app is not allowed; 429
 *   rate limited — or `0` when qrlogin could not be reached or did not answer with an envelope.
 *   The message never contains the ticket or the secret.
 *
 * @example
 * const user = await exchangeTicket(ticket, { host: 'https://login.example.com', appId: 'shop', appSecret: process.env.QRLOGIN_APP_SECRET });
 */
export async function exchangeTicket(ticket: string, options: ExchangeTicketOptions): Promise<ExchangedUser> {
  if (typeof ticket !== 'string' || ticket.length === 0) throw new TypeError('exchangeTicket: `ticket` must be a non-empty string');
  if (!options?.host || !options.appId || !options.appSecret) {
    throw new TypeError('exchangeTicket: `host`, `appId` and `appSecret` are required');
  }
  const http = { host: normalizeHost(options.host), fetch: options.fetch ?? defaultFetch(), lang: 'en' as const, appId: options.appId };
  const user = await request<unknown>(http, {
    method: 'POST',
    path: API.userinfo,
    body: { ticket },
    headers: { authorization: `Bearer ${options.appSecret}` },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  if (!isUserInfo(user)) throw new QrLoginError(0, 'Unexpected answer from qrlogin (no user)');
  return user;
}
