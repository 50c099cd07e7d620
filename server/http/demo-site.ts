/**
 * @module
 * The demo website's own backend (only when the demo pages are on): a relying party of app
 * `demo` that honours OpenID Connect Back-Channel Logout, so signing a browser out from the
 * phone ("Signed-in browsers") signs the demo website out within seconds.
 *
 * - `POST /demo/api/session` `{idToken}` (JSON): verifies the ID token the widget got (qrlogin's
 *   own key set, `iss`, `aud: demo`, `typ: JWT`) and keeps it in an HttpOnly, SameSite=Lax
 *   cookie on `/demo/api` → `{signedIn: true, sid}`; 400/401/403/415 `{error}` otherwise.
 * - `GET /demo/api/session` → always HTTP 200: `{signedIn: true, user}` while the cookie's token
 *   is valid and its `sid` was not logged out; else the cookie is cleared and
 *   `{signedIn: false, reason: 'signed-out-from-phone' | 'expired' | 'none'}`.
 * - `POST /demo/api/backchannel-logout` (form, `logout_token`): verifies the logout token
 *   (signature, `iss`, `aud: demo`, then Back-Channel Logout 1.0 §2.6, shared/logout-token.ts)
 *   and records its `sid` (or, without one, its `sub`) as signed out in the backend's OIDC
 *   store, which every instance shares → 200 `Cache-Control: no-store`; 400
 *   `{error: 'invalid_request'}` otherwise.
 *
 * No answer or log line contains a token.
 */
import { parse as parseCookies } from 'cookie';
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import { type JWTHeaderParameters, type JWTPayload, errors, jwtVerify } from 'jose';
import { checkLogoutToken } from '../../shared/logout-token';
import type { KeySet } from '../auth/keys';
import type { Logger } from '../logger';

/** The app the demo website is. */
const DEMO_APP = 'demo';
/** The session cookie: the verified ID token itself. */
export const DEMO_SESSION_COOKIE = 'demo_session';
const COOKIE_PATH = '/demo/api';
/**
 * A demo sign-in lasts at most this long (no ID token lives longer: `ID_TOKEN_TTL_SECONDS` is
 * at most a day), and a sign-out is remembered as long, so it outlives every token it ends.
 */
export const DEMO_SESSION_MAX_AGE_SECONDS = 86_400;
/** The OIDC store's models for sign-outs: by `sid`, and by `sub` for a logout token without `sid`. */
export const SIGN_OUT_MODEL = 'DemoSignOut';
export const USER_SIGN_OUT_MODEL = 'DemoSignOutUser';
const ALGORITHMS = ['ES256', 'RS256'];
const MAX_TOKEN_LENGTH = 8192;

/**
 * What the demo website needs of the backend's OIDC store (`Stores.oidc`, an `OidcStore`):
 * named here because the HTTP layer does not import the backend.
 */
export interface DemoSignOutStore {
  upsert(model: string, id: string, payload: Record<string, unknown>, expiresInSeconds?: number): Promise<void>;
  find(model: string, id: string): Promise<Record<string, unknown> | undefined>;
}

export interface DemoSiteDeps {
  /** qrlogin's issuer: the `iss` of its tokens. */
  issuer: string;
  keys: KeySet;
  oidc: DemoSignOutStore;
  logger: Logger;
  /** `Secure` on the session cookie (PUBLIC_URL is https). */
  secureCookies: boolean;
}

type SignedOutReason = 'signed-out-from-phone' | 'expired' | 'none';

/** Refuses a token the same way whatever was wrong with it: never a hint of its content. */
class Refused extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason);
  }
}

/** jose's key lookup on qrlogin's own key set (another instance's new key included), algorithm pinned. */
function keyLookup(keys: KeySet) {
  return async (header: JWTHeaderParameters) => {
    const key = header.kid ? await keys.resolve(header.kid) : undefined;
    if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return key.publicKey;
  };
}

export function demoSiteRoutes(deps: DemoSiteDeps): Router {
  const { issuer, keys, oidc, logger, secureCookies } = deps;
  const getKey = keyLookup(keys);
  const cookieOptions = { httpOnly: true, sameSite: 'lax', path: COOKIE_PATH, secure: secureCookies } as const;
  const router = Router();

  /** The claims of a valid demo ID token; throws {@link Refused}. */
  const verifyIdToken = async (token: unknown): Promise<JWTPayload> => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new Refused('invalid');
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer,
        audience: DEMO_APP,
        algorithms: ALGORITHMS,
        typ: 'JWT',
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: 5,
        maxTokenAge: DEMO_SESSION_MAX_AGE_SECONDS,
      });
      return payload;
    } catch (error) {
      throw new Refused(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
  };

  /** Whether the phone signed this sign-in out (its `sid`, or every sign-in of its `sub` until then). */
  const signedOutFromPhone = async (claims: JWTPayload): Promise<boolean> => {
    if (typeof claims.sid === 'string' && (await oidc.find(SIGN_OUT_MODEL, claims.sid))) return true;
    if (typeof claims.sub !== 'string') return false;
    const all = await oidc.find(USER_SIGN_OUT_MODEL, claims.sub);
    return typeof all?.at === 'number' && typeof claims.iat === 'number' && claims.iat * 1000 <= all.at;
  };

  /** The sign-in an ID token stands for: its claims while it is valid and not signed out, else why not. */
  const standing = async (token: unknown): Promise<{ claims: JWTPayload } | { refused: 'expired' | 'invalid' | 'signed-out' }> => {
    let claims: JWTPayload;
    try {
      claims = await verifyIdToken(token);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return { refused: error.reason };
    }
    return (await signedOutFromPhone(claims)) ? { refused: 'signed-out' } : { claims };
  };

  const noStore: RequestHandler = (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    next();
  };

  /** A body parser whose failures (malformed, too large) are this route's 400, not the app's error page. */
  const parsed =
    (parser: RequestHandler): RequestHandler =>
    (req, res, next) =>
      parser(req, res, (error?: unknown) => {
        if (error) res.status(400).json({ error: 'invalid_request' });
        else next();
      });

  router.post(
    '/demo/api/session',
    noStore,
    (req: Request, res: Response, next: NextFunction) => {
      // Login CSRF: another site cannot send JSON without a preflight, nor hide where it came from.
      if (req.get('sec-fetch-site') === 'cross-site') res.status(403).json({ error: 'cross_site' });
      else if (!req.is('application/json')) res.status(415).json({ error: 'json_required' });
      else next();
    },
    parsed(express.json({ limit: '16kb' })),
    async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const token = typeof body === 'object' && body !== null ? (body as { idToken?: unknown }).idToken : undefined;
      if (typeof token !== 'string' || token.length === 0) {
        res.status(400).json({ error: 'id_token_required' });
        return;
      }
      const session = await standing(token);
      if ('refused' in session) {
        res.status(401).json({ error: session.refused === 'signed-out' ? 'signed_out' : 'invalid_token' });
        return;
      }
      const { claims } = session;
      const remainingMs = ((claims.exp ?? 0) - Math.floor(Date.now() / 1000)) * 1000;
      res.cookie(DEMO_SESSION_COOKIE, token, { ...cookieOptions, maxAge: Math.max(0, remainingMs) });
      res.json({ signedIn: true, sid: typeof claims.sid === 'string' ? claims.sid : null });
    },
  );

  router.get('/demo/api/session', noStore, async (req: Request, res: Response) => {
    const token = req.headers.cookie ? parseCookies(req.headers.cookie)[DEMO_SESSION_COOKIE] : undefined;
    const signedOut = (reason: SignedOutReason) => {
      if (token !== undefined) res.clearCookie(DEMO_SESSION_COOKIE, cookieOptions);
      res.json({ signedIn: false, reason });
    };
    if (!token) {
      signedOut('none');
      return;
    }
    const session = await standing(token);
    if ('refused' in session) {
      signedOut(session.refused === 'signed-out' ? 'signed-out-from-phone' : session.refused === 'expired' ? 'expired' : 'none');
      return;
    }
    const { claims } = session;
    const text = (name: string) => (typeof claims[name] === 'string' ? (claims[name] as string) : null);
    res.json({
      signedIn: true,
      sid: text('sid'),
      user: { id: claims.sub, nickname: text('nickname') ?? text('name'), username: text('preferred_username'), picture: text('picture') },
      expiresAt: new Date((claims.exp ?? 0) * 1000).toISOString(),
    });
  });

  router.post(
    '/demo/api/backchannel-logout',
    noStore,
    parsed(express.urlencoded({ extended: false, limit: '8kb' })),
    async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const token = typeof body === 'object' && body !== null ? (body as { logout_token?: unknown }).logout_token : undefined;
      const refuse = (problem: string) => {
        logger.warn('demo site: back-channel logout refused', { problem });
        res.status(400).json({ error: 'invalid_request' });
      };
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        refuse('no logout_token');
        return;
      }
      let verified;
      try {
        verified = await jwtVerify(token, getKey, {
          issuer,
          audience: DEMO_APP,
          algorithms: ALGORITHMS,
          clockTolerance: 5,
          requiredClaims: ['iat', 'exp', 'jti'],
        });
      } catch (error) {
        // jose's messages name the check that failed ("signature verification failed"), never a value.
        refuse(error instanceof errors.JOSEError ? error.message : 'not a JWT');
        return;
      }
      const check = checkLogoutToken(verified.payload, verified.protectedHeader as unknown as Record<string, unknown>);
      if (!check.ok) {
        refuse(check.problem);
        return;
      }
      const { sid, sub } = check.claims;
      const at = Date.now();
      if (sid) await oidc.upsert(SIGN_OUT_MODEL, sid, { at }, DEMO_SESSION_MAX_AGE_SECONDS);
      else if (sub) await oidc.upsert(USER_SIGN_OUT_MODEL, sub, { at }, DEMO_SESSION_MAX_AGE_SECONDS);
      logger.info('demo site: signed out from the phone', { sid: sid ?? null, allOfUser: !sid });
      res.status(200).end();
    },
  );

  return router;
}
