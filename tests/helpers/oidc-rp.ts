/**
 * @module
 * A real OpenID Connect relying party for the e2e tests: openid-client (discovery, PKCE, state,
 * nonce, code exchange and ID token validation) behind a tiny web server on a free loopback
 * port whose `/callback` answers `claims: {…}` or `error: <code>` as plain text.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import * as client from 'openid-client';
import { freePort } from './redis-server';

export interface RelyingParty {
  url: string;
  redirectUri: string;
  config: client.Configuration;
  /** A fresh authorization URL (PKCE S256, state, nonce remembered for the callback). */
  authorizationUrl(extra?: Record<string, string>): Promise<URL>;
  /** Every callback URL the RP received, in order. */
  callbacks: URL[];
  close(): Promise<void>;
}

export interface RelyingPartyOptions {
  /** The issuer as the RP knows it (what discovery must name). */
  issuer: string;
  clientId: string;
  secret: string;
  /** Rewrites the URL of each request the RP makes (e.g. to reach another instance). */
  rewrite?: (url: URL) => URL;
  /** The RP's port (its redirect URI must be registered before it starts); a free one by default. */
  port?: number;
  /** Where the browser is sent: the authorization endpoint's path on this origin instead. */
  browserBase?: string;
}

export async function startRelyingParty(options: RelyingPartyOptions): Promise<RelyingParty> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const redirectUri = `${url}/callback`;
  const checks = new Map<string, { verifier: string; nonce: string }>();
  const callbacks: URL[] = [];
  const rewrite = options.rewrite;
  // Discovery keeps the custom fetch for every later request (the token endpoint included).
  const customFetch: client.CustomFetch | undefined = rewrite
    ? (target, init) => fetch(rewrite(new URL(target)), init as RequestInit)
    : undefined;
  const config = await client.discovery(new URL(options.issuer), options.clientId, options.secret, undefined, {
    execute: [client.allowInsecureRequests],
    ...(customFetch ? { [client.customFetch]: customFetch } : {}),
  });

  async function callback(at: URL): Promise<string> {
    if (at.pathname !== '/callback') return 'not found';
    callbacks.push(at);
    const state = at.searchParams.get('state') ?? '';
    const check = checks.get(state);
    if (!check) return 'error: unknown_state';
    checks.delete(state);
    if (at.searchParams.get('error')) return `error: ${at.searchParams.get('error') ?? ''}`;
    const tokens = await client.authorizationCodeGrant(config, at, {
      pkceCodeVerifier: check.verifier,
      expectedState: state,
      expectedNonce: check.nonce,
    });
    return `claims: ${JSON.stringify(tokens.claims())}`;
  }

  const server = createServer((req, res) => {
    callback(new URL(req.url ?? '/', url)).then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');

  return {
    url,
    redirectUri,
    config,
    callbacks,
    async authorizationUrl(extra = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      checks.set(state, { verifier, nonce });
      const built = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
      return options.browserBase ? new URL(`${built.pathname}${built.search}`, options.browserBase) : built;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
