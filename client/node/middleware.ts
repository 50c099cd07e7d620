/**
 * @module
 * `qrLoginMiddleware`: the route a page POSTs its ticket to. It exchanges the ticket with the
 * app secret, verifies the ID token it gets, and hands the user to `onLogin`, where the site
 * starts its own session. Typed structurally: it works with Express (and plain `node:http`)
 * without depending on either.
 */
import { QrLoginError, type FetchLike } from '../common/http';
import { QrLoginTokenError } from './errors';
import { type ExchangedUser, exchangeTicket } from './exchange';
import { type RequestLike, isCrossSite, isJsonRequest, readTicket } from './ticket-body';
import { type IdTokenClaims, verifyIdToken } from './verify';

export type { RequestLike } from './ticket-body';

/** The parts of a Node/Express response the middleware writes (an Express `Response` is one). */
export interface ResponseLike {
  headersSent: boolean;
  writableEnded?: boolean;
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(chunk: string): unknown;
}

/** Express's `next`: called with an error the middleware does not answer itself. */
export type NextLike = (error?: unknown) => void;

/** The user `onLogin` gets: what `userinfo` returned (`token` is the ID token) and its verified claims. */
export type QrLoginUser = ExchangedUser & { claims: IdTokenClaims };

export interface QrLoginMiddlewareOptions<Req extends RequestLike = RequestLike, Res extends ResponseLike = ResponseLike> {
  /** Where qrlogin is, e.g. `https://login.example.com`. */
  host: string;
  /** Your app id. */
  appId: string;
  /** Your app secret: keep it on the server (an environment variable). */
  appSecret: string;
  /** The ID token's issuer, when qrlogin's `ISSUER` is not `host`. */
  issuer?: string;
  /** The `fetch` used for the exchange (default: the global one). */
  fetch?: FetchLike;
  /**
   * Called once the ticket is exchanged and the ID token verified: start your session here
   * (set a cookie) and answer if you like. If `res` is not answered when it returns, the
   * middleware answers 200 `{"user": {id, username, nickname, photo, email, phone}}`.
   * What it throws goes to `next`.
   */
  onLogin(user: QrLoginUser, req: Req, res: Res): void | Promise<void>;
}

/** The stable `error` values of the middleware's own answers. */
export type MiddlewareErrorCode = 'cross_site' | 'json_required' | 'ticket_required' | 'ticket_refused' | 'qrlogin_unreachable';

function answer(res: ResponseLike, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

function refuse(res: ResponseLike, status: number, error: MiddlewareErrorCode, message: string): void {
  answer(res, status, { error, message });
}

/** Envelope codes that mean "this ticket will not sign anyone in": the page should show a new QR. */
const TICKET_REFUSED = new Set([2244, 2245]);

/** No answer, rate limited, or a server error: qrlogin is (for now) out of reach. */
function isUnavailable(code: number): boolean {
  return code === 0 || code === 429 || code >= 500;
}

/**
 * An Express-compatible handler for the route your page POSTs `{ticket}` to.
 *
 * Answers itself: 403 `{"error": "cross_site"}` (the browser says another website sent the
 * request: `Sec-Fetch-Site: cross-site`), 415 `{"error": "json_required"}` (the body is not
 * `application/json`: together, these keep another site from signing your visitor in to an
 * account of its choosing), 400 `{"error": "ticket_required"}` (no ticket in the body), 401
 * `{"error": "ticket_refused"}` (invalid, expired or already used), 502
 * `{"error": "qrlogin_unreachable"}` (no answer, rate limited or a server error); anything else
 * (a wrong app secret, an ID token that does not verify — a configuration problem — or what
 * `onLogin` throws) goes to `next(error)`. No answer or error contains the ticket or the secret.
 *
 * @example
 * app.post('/auth/qrlogin', express.json(), qrLoginMiddleware({
 *   host: 'https://login.example.com', appId: 'shop', appSecret: process.env.QRLOGIN_APP_SECRET,
 *   onLogin(user, req, res) { res.cookie('sid', startSession(user.id), { httpOnly: true }); },
 * }));
 */
export function qrLoginMiddleware<Req extends RequestLike = RequestLike, Res extends ResponseLike = ResponseLike>(
  options: QrLoginMiddlewareOptions<Req, Res>,
): (req: Req, res: Res, next: NextLike) => Promise<void> {
  const { host, appId, appSecret, onLogin } = options ?? {};
  if (!host || !appId || !appSecret) throw new TypeError('qrLoginMiddleware: `host`, `appId` and `appSecret` are required');
  if (typeof onLogin !== 'function') throw new TypeError('qrLoginMiddleware: `onLogin(user, req, res)` is required');
  const issuer = options.issuer ?? host.replace(/\/+$/, '');

  return async (req, res, next) => {
    try {
      // Login CSRF: only the site's own pages may post a ticket (see ticket-body.ts).
      if (isCrossSite(req)) return refuse(res, 403, 'cross_site', 'Tickets are accepted from this website’s own pages only');
      if (!isJsonRequest(req)) return refuse(res, 415, 'json_required', 'POST the ticket as JSON (content-type: application/json)');
      const ticket = await readTicket(req);
      if (ticket === null) return refuse(res, 400, 'ticket_required', 'POST {"ticket": "…"}: the ticket from the qrlogin-success event');
      let exchanged: ExchangedUser;
      try {
        exchanged = await exchangeTicket(ticket, { host, appId, appSecret, ...(options.fetch ? { fetch: options.fetch } : {}) });
      } catch (error) {
        if (error instanceof QrLoginError && TICKET_REFUSED.has(error.code)) {
          return refuse(res, 401, 'ticket_refused', 'The ticket is invalid, expired or already used: scan a new QR code');
        }
        if (error instanceof QrLoginError && isUnavailable(error.code)) {
          return refuse(res, 502, 'qrlogin_unreachable', 'The login service could not be reached: try again');
        }
        throw error;
      }
      let claims: IdTokenClaims;
      try {
        claims = await verifyIdToken(exchanged.token, { issuer, audience: appId });
      } catch (error) {
        if (error instanceof QrLoginTokenError && error.code === 'unreachable') {
          return refuse(res, 502, 'qrlogin_unreachable', 'The login service could not be reached: try again');
        }
        throw error;
      }
      if (claims.sub !== exchanged.id) throw new QrLoginTokenError('invalid', 'ID token refused: it names another user than the ticket');
      const user: QrLoginUser = { ...exchanged, claims };
      await onLogin(user, req, res);
      if (!res.headersSent && !res.writableEnded) {
        const { id, username, nickname, photo, email, phone } = user;
        answer(res, 200, { user: { id, username, nickname, photo, email, phone } });
      }
    } catch (error) {
      next(error);
    }
  };
}
