/**
 * @module
 * The OpenID Connect front door: oidc-provider (OpenID certified, panva) configured for qrlogin.
 * What it supports, on purpose:
 * - the authorization code flow only (`response_type=code`; the implicit and hybrid flows never),
 *   PKCE required with S256 (`plain` refused), `state`, `nonce`, the `iss` response parameter
 *   (RFC 9207);
 * - clients are the apps with `redirectUris` (clients.ts), authenticated at the token endpoint
 *   with the app secret (`client_secret_basic`, `client_secret_post`), or public clients
 *   (`publicClient`: `none`, PKCE alone); never an HMAC of the secret (qrlogin keeps only its
 *   hash);
 * - ID tokens signed with qrlogin's own key (keys.ts), `aud` = client id, `amr: ["qr"]`, `sid`,
 *   `auth_time`, `nonce`; userinfo; RP-initiated logout; back-channel logout;
 * - no refresh tokens, no pushed authorization requests, no dynamic registration, no device flow.
 * The login page is qrlogin's QR (the interaction, `interactionPath`); state lives in the
 * active backend through `adapter`. Each completed authorization is a signed-in browser the
 * phone lists: the `sid` of the app's ID tokens is that sign-in's id (`SIGN_IN_RESULT`), and
 * every back-channel logout, the provider's own too, goes through qrlogin's retrying delivery.
 */
import Provider, { type Account, type AccountClaims, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { SigningKey } from '../auth/keys';
import type { AppConfig } from '../domain/app';
import { sha256 } from '../domain/secrets';
import type { PublicUser } from '../../shared/http';
import { clientsOf } from './clients';
import { renderOidcError } from './error-page';
import { logoutSource, postLogoutSuccessSource } from './logout-pages';
import { cookieKeysOf, privateJwkOf } from './keys';
import type { SendLogout, SignInDraft, SignIns } from '../services/sign-ins';

/**
 * The member of an interaction result (interaction-routes.ts) that carries the sign-in the QR
 * (or the browser's earlier sign-in) approved: recorded once the authorization completes.
 */
export const SIGN_IN_RESULT = 'qrlogin';
export interface SignInResult {
  signIn: SignInDraft;
}

/** Where the provider's endpoints are (under the issuer). */
export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/userinfo',
  end_session: '/oidc/session/end',
  // qrlogin's own `/.well-known/jwks.json` publishes the keys (every key a token may carry).
  jwks: '/.well-known/jwks.json',
} as const;

/** The QR login page of an authorization request. */
export const interactionPath = (uid: string): string => `/oidc/interaction/${encodeURIComponent(uid)}`;

export interface OidcProviderOptions {
  issuer: string;
  apps: readonly AppConfig[];
  key: SigningKey;
  /** Storage of codes, sessions, grants… on the active backend; oidc-provider's memory when absent (tests). */
  adapter?: Configuration['adapter'];
  /** A user by id (the `sub`), or undefined when there is none any more. */
  findUser(id: string): Promise<PublicUser | undefined>;
  /** How long a provider session (the remembered sign-in) and its grants last, in seconds. */
  sessionTtlSeconds: number;
  /** Where a completed authorization is recorded as a signed-in browser. */
  signIns: Pick<SignIns, 'record' | 'forgetSession'>;
  /** Back-channel logout delivery (retried), for the provider's own logouts too. */
  sendLogout: SendLogout;
}

/** The sign-in an interaction approved, from the result the provider resumes with. */
function signInOf(ctx: KoaContextWithOIDC): SignInDraft | undefined {
  const result = (ctx.oidc.result as Record<string, unknown> | undefined)?.[SIGN_IN_RESULT] as Partial<SignInResult> | undefined;
  return result?.signIn;
}

/** The claims a user has, by OIDC name. */
function claimsOf(user: PublicUser): AccountClaims {
  const claims: AccountClaims = {
    sub: user.id,
    amr: ['qr'],
    name: user.nickname,
    nickname: user.nickname,
    preferred_username: user.username,
  };
  if (user.photo) claims.picture = user.photo;
  if (user.email) claims.email = user.email;
  if (user.phone) claims.phone_number = user.phone;
  return claims;
}

export function createOidcProvider(options: OidcProviderOptions): Provider {
  const configuration: Configuration = {
    clients: clientsOf(options.apps, options.key.alg),
    jwks: { keys: [privateJwkOf(options.key)] },
    cookies: { keys: cookieKeysOf(options.key) },
    ...(options.adapter ? { adapter: options.adapter } : {}),
    routes: OIDC_ROUTES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes: ['openid', 'profile', 'email', 'phone'],
    // Asymmetric only, everywhere: a client's "secret" here is the hash qrlogin stores, never an HMAC key.
    enabledJWA: {
      idTokenSigningAlgValues: [options.key.alg],
      requestObjectSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    claims: {
      // How the user signed in (`["qr"]`) and when, in every ID token: with `openid`.
      openid: ['sub', 'amr', 'auth_time'],
      profile: ['name', 'nickname', 'preferred_username', 'picture'],
      email: ['email'],
      phone: ['phone_number'],
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      pushedAuthorizationRequests: { enabled: false },
    },
    ttl: {
      AuthorizationCode: 60,
      IdToken: 3600,
      AccessToken: 600,
      Interaction: 600,
      Session: options.sessionTtlSeconds,
      Grant: options.sessionTtlSeconds,
    },
    // No refresh tokens: oidc-provider's default issues them only for `offline_access`, which
    // is not among the scopes, to clients with the refresh_token grant, which none has.
    // The profile claims the scopes grant go into the ID token too, as in qrlogin's own ID
    // tokens: an RP that reads only the ID token (many do) still gets the name.
    conformIdTokenClaims: false,
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => interactionPath(interaction.uid) },
    /**
     * oidc-provider's own rule (the grant of the interaction's consent, else the session's),
     * plus: an approved sign-in becomes the app's `sid` in this browser's session before the
     * provider would make one up, and is recorded with that session, which sign-out ends.
     */
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session) return undefined;
      const signIn = signInOf(ctx);
      if (signIn && signIn.appId === client.clientId && signIn.userId === session.accountId) {
        // A browser signed in to this app already keeps its `sid` (the website's session is keyed
        // on it, and a sign-out must name it): the sign-in is renewed, not replaced.
        const existing = session.sidFor(client.clientId);
        const id = typeof existing === 'string' ? existing : signIn.id;
        if (id === signIn.id) session.sidFor(client.clientId, id);
        await options.signIns.record({ ...signIn, id }, session.uid);
      }
      const consented = (ctx.oidc.result as { consent?: { grantId?: unknown } } | undefined)?.consent?.grantId;
      const grantId = typeof consented === 'string' ? consented : session.grantIdFor(client.clientId);
      return grantId ? provider.Grant.find(grantId) : undefined;
    },
    async findAccount(_ctx, sub): Promise<Account | undefined> {
      const user = await options.findUser(sub);
      return user ? { accountId: user.id, claims: () => claimsOf(user) } : undefined;
    },
    renderError: renderOidcError,
  };
  const provider = new Provider(options.issuer, configuration);
  // Its X-Forwarded-* headers are pinned to PUBLIC_URL before it sees a request (index.ts).
  provider.proxy = true;
  // qrlogin keeps the SHA-256 of each app secret (clients.ts gives it as `client_secret`): the
  // secret a client presents is hashed before the constant-time comparison.
  const compare = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = function (this: InstanceType<typeof provider.Client>, actual: string) {
    return compare.call(this, sha256(actual));
  };
  // Every ID token names its session (`sid`), not only those of clients with back-channel
  // logout: it is how a website matches a later sign-out from the phone to a browser.
  provider.Client.prototype.includeSid = () => true;
  // The provider's back-channel logouts (RP-initiated logout) go through qrlogin's delivery,
  // which retries: the same token format as the phone's sign-outs, with the sign-in's `sid`.
  // The website signed out through the provider (RP-initiated logout, or a different account
  // signing in on this browser): its sign-ins leave the phone's list — all of the session when it
  // ended, else the asking app's only.
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session;
    if (!session?.accountId) return;
    const ended = (session as { destroyed?: boolean }).destroyed === true;
    void options.signIns.forgetSession(session.accountId, session.uid, ended ? undefined : ctx.oidc.client?.clientId);
  });
  provider.Client.prototype.backchannelLogout = function (this: InstanceType<typeof provider.Client>, sub: string, sid: string) {
    options.sendLogout({ id: sid, userId: sub, appId: this.clientId });
    return Promise.resolve();
  };
  return provider;
}
