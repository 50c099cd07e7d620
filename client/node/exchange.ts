/**
 * @module
 * `exchangeTicket`: the website's backend redeems the ticket its page received, with the app
 * secret (`POST /api/v2/qrcode/userinfo`, `Authorization: Bearer <app secret>`).
 */
import { API, HEADERS, type UserInfoData } from '../../shared';
import { QrLoginError } from './errors';

/** The `fetch` to call qrlogin with (the global one by default). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

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

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isUserInfo(value: unknown): value is UserInfoData {
  return isRecord(value) && typeof value.id === 'string' && typeof value.token === 'string';
}

/** The reason of a failed fetch, without the request (which carries the ticket and the secret). */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.message : 'failed';
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
  const url = `${options.host.replace(/\/+$/, '')}${API.userinfo}`;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${options.appSecret}`,
        [HEADERS.appId]: options.appId,
        [HEADERS.lang]: 'en',
      },
      body: JSON.stringify({ ticket }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new QrLoginError(0, `Could not reach qrlogin at ${url}: ${reasonOf(error)}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new QrLoginError(0, `Unexpected answer from qrlogin (HTTP ${response.status}, not JSON)`);
  }
  if (!isRecord(body) || typeof body.code !== 'number') {
    throw new QrLoginError(0, `Unexpected answer from qrlogin (HTTP ${response.status}, not an envelope)`);
  }
  if (body.code !== 200) {
    const message = typeof body.message === 'string' && body.message ? body.message : `Error ${body.code}`;
    throw new QrLoginError(body.code, message);
  }
  if (!isUserInfo(body.data)) throw new QrLoginError(0, 'Unexpected answer from qrlogin (no user)');
  return body.data;
}
