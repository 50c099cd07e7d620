/**
 * @module
 * The OpenID Connect front door, wired: the provider (provider.ts) on the backend's OIDC store
 * (adapter.ts), its QR login page (interaction-routes.ts), and a router that hands the
 * provider exactly its own paths (discovery and `/oidc/…`), so every other request keeps
 * qrlogin's routes, headers and 404s.
 */
import { type RequestHandler, Router } from 'express';
import type { KeySet } from '../auth/keys';
import type { Stores } from '../backend/stores';
import type { AppConfig } from '../domain/app';
import type { Logger } from '../logger';
import { logRefusedClientAuth } from './client-auth-log';
import type { RateLimiter } from '../ratelimit/limiter';
import type { AppRegistry } from '../services/apps';
import type { Redeem } from '../services/redeem';
import type { SendLogout, SignIns } from '../services/sign-ins';
import { toPublicUser } from '../services/users';
import type { PublicUser } from '../../shared/http';
import { oidcAdapter } from './adapter';
import { interactionRoutes } from './interaction-routes';
import { createOidcProvider } from './provider';

export { interactionPath, OIDC_ROUTES } from './provider';
export { providerSessions } from './sessions';

/** The users who signed in through the provider, as they were then (an external user is stored nowhere else). */
const ACCOUNT_MODEL = 'QrloginAccount';

/** Every path of the front door: the provider's and the interaction's. */
const OIDC_PATH = /^\/(?:\.well-known\/openid-configuration$|oidc\/)/;

/** Paths that are the provider's: discovery, authorization (and its resume), token, userinfo, end session. */
const PROVIDER_PATH = /^\/(?:\.well-known\/openid-configuration$|oidc\/(?:auth|token|userinfo|session\/end)(?:\/|$))/;

export interface OidcDeps {
  issuer: string;
  apps: readonly AppConfig[];
  registry: AppRegistry;
  keys: KeySet;
  stores: Stores;
  redeem: Redeem;
  logger: Logger;
  /** PUBLIC_URL: the origin of every URL the provider builds. */
  publicUrl: string;
  /** How long a provider session lasts, in seconds (the remembered sign-in). */
  sessionTtlSeconds: number;
  signIns: Pick<SignIns, 'draft' | 'record' | 'forgetSession'>;
  sendLogout: SendLogout;
  limiter: RateLimiter;
}

export function oidcRoutes(deps: OidcDeps): Router {
  const accounts = deps.stores.oidc;
  // A built-in user as the directory has them now; a user of the company's own identity
  // provider (stored nowhere else) as they signed in.
  const findUser = async (id: string): Promise<PublicUser | undefined> => {
    const stored = await deps.stores.users.findById(id);
    if (stored) return toPublicUser(stored);
    const remembered = await accounts.find(ACCOUNT_MODEL, id);
    return remembered ? (remembered as unknown as PublicUser) : undefined;
  };
  const provider = createOidcProvider({
    issuer: deps.issuer,
    apps: deps.apps,
    key: deps.keys.current,
    adapter: oidcAdapter(deps.stores.oidc),
    findUser,
    sessionTtlSeconds: deps.sessionTtlSeconds,
    signIns: deps.signIns,
    sendLogout: deps.sendLogout,
  });
  provider.on('grant.error', logRefusedClientAuth(deps.logger));
  const rememberUser = (user: PublicUser) =>
    accounts.upsert(ACCOUNT_MODEL, user.id, { ...toPublicUser(user) } as unknown as Record<string, unknown>, deps.sessionTtlSeconds);

  const router = Router();
  const callback = provider.callback();
  const base = new URL(deps.publicUrl);
  /**
   * oidc-provider builds its URLs (discovery's endpoints, redirects) from the request's host,
   * and Koa's `proxy` trusts every X-Forwarded-* header or none: its requests get PUBLIC_URL's
   * host and scheme, whatever the client sent, and the client address Express judged by
   * TRUST_PROXY.
   */
  const pin: RequestHandler = (req, _res, next) => {
    req.headers['x-forwarded-host'] = base.host;
    req.headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
    req.headers['x-forwarded-for'] = req.ip ?? '';
    delete req.headers.forwarded;
    next();
  };
  router.use((req, res, next) => (OIDC_PATH.test(req.path) ? pin(req, res, next) : next()));
  router.use(
    interactionRoutes({
      provider,
      redeem: deps.redeem,
      apps: deps.registry,
      logger: deps.logger,
      rememberUser,
      signIns: deps.signIns,
      limiter: deps.limiter,
    }),
  );
  router.use((req, res, next) => {
    if (!PROVIDER_PATH.test(req.path)) return next();
    // Its pages (sign-out confirmation, errors) are never framed: no clickjacking of a button.
    // No script or form-action policy: a form_post response and the redirect after the sign-out
    // form go to the website.
    res.set({ 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff' });
    void callback(req, res);
  });
  return router;
}
