/**
 * The OpenID Connect provider as configured for qrlogin (server/oidc/provider.ts), mounted in an
 * Express app on port 0 and read by a real relying party library (openid-client): one
 * discovery document with what the issue asks for; PKCE S256 required; an unregistered
 * redirect_uri never redirects; the app secret authenticates at the token endpoint while its
 * stored hash does not. (The QR login page of an authorization request is issue 15's next step.)
 */
import express from 'express';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { generateSigningKey } from '../../server/auth/keys';
import type { AppConfig } from '../../server/domain/app';
import { sha256 } from '../../server/domain/secrets';
import { createOidcProvider } from '../../server/oidc/provider';
import { startServer } from '../helpers/server';

const SECRET = 'shop-oidc-secret-0123456789abcdef';
let server: Server;
let issuer = '';
const redirectUri = 'https://shop.example/callback';

beforeAll(async () => {
  const app = express();
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const shop: AppConfig = {
    id: 'shop',
    name: 'Example Shop',
    secretHash: sha256(SECRET),
    origins: [],
    bindTicketToBrowser: true,
    allowBrowserExchange: false,
    showScannerOnWeb: false,
    qrTtlSeconds: 120,
    ticketTtlSeconds: 60,
    numberMatching: false,
    redirectUris: [redirectUri],
    postLogoutRedirectUris: ['https://shop.example/'],
    backchannelLogoutUri: 'https://shop.example/backchannel-logout',
  };
  const provider = createOidcProvider({
    issuer,
    apps: [shop],
    key: generateSigningKey().key,
    findUser: () => Promise.resolve(undefined),
    sessionTtlSeconds: 3600,
    signIns: { record: () => Promise.resolve(), forgetSession: () => Promise.resolve() },
    sendLogout: () => undefined,
  });
  app.use(provider.callback());
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('one discovery document from the real server: what the issue asks, nothing unrouted, on PUBLIC_URL whatever the Host', async () => {
  const qrlogin = await startServer({
    env: { APPS: JSON.stringify({ apps: [{ id: 'shop', name: 'Shop', secret: SECRET, origins: [], redirectUris: [redirectUri] }] }) },
  });
  try {
    const base = qrlogin.url;
    const discovered = (await (
      await fetch(`${base}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      })
    ).json()) as Record<string, unknown>;
    expect(discovered).toMatchObject({
      issuer: qrlogin.config.issuer,
      authorization_endpoint: `${base}/oidc/auth`,
      token_endpoint: `${base}/oidc/token`,
      userinfo_endpoint: `${base}/oidc/userinfo`,
      end_session_endpoint: `${base}/oidc/session/end`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      scopes_supported: ['openid', 'profile', 'email', 'phone'],
      // `none` for public clients (publicClient: true; oidc-public-client.test.ts), PKCE their proof.
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      authorization_response_iss_parameter_supported: true,
      id_token_signing_alg_values_supported: ['ES256'],
    });
    // Every endpoint it names answers (none is advertised and unrouted), and none on another host.
    const endpoints = Object.entries(discovered).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri');
    expect(endpoints.map(([name]) => name).sort()).toEqual([
      'authorization_endpoint',
      'end_session_endpoint',
      'jwks_uri',
      'token_endpoint',
      'userinfo_endpoint',
    ]);
    for (const [name, value] of endpoints) {
      expect({ name, origin: new URL(String(value)).origin }).toEqual({ name, origin: base });
      const method = name === 'token_endpoint' ? 'POST' : 'GET';
      expect({ name, status: (await fetch(String(value), { method, redirect: 'manual' })).status }).not.toEqual({ name, status: 404 });
    }
  } finally {
    await qrlogin.close();
  }
});

test('openid-client discovers the provider and builds a PKCE authorization URL for the app', async () => {
  const config = await client.discovery(new URL(issuer), 'shop', SECRET, undefined, { execute: [client.allowInsecureRequests] });
  expect(config.serverMetadata().issuer).toBe(issuer);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: client.randomState(),
    nonce: client.randomNonce(),
  });
  // The provider takes it: to the QR login page (an interaction), not an error.
  const answer = await fetch(url, { redirect: 'manual' });
  expect(answer.status).toBe(303);
  expect(answer.headers.get('location')).toMatch(/^\/oidc\/interaction\/[A-Za-z0-9_-]+$/);
});

const authorize = (params: Record<string, string>) =>
  fetch(`${issuer}/oidc/auth?${new URLSearchParams({ client_id: 'shop', response_type: 'code', scope: 'openid', ...params }).toString()}`, {
    redirect: 'manual',
    headers: { 'accept-language': 'en' },
  });

test('an unregistered redirect_uri never redirects: an error page for the person, the OAuth error for the developer', async () => {
  for (const uri of ['https://evil.example/callback', `${redirectUri}/../steal`, `${redirectUri}?x=1`]) {
    const answer = await authorize({ redirect_uri: uri, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
    const page = await answer.text();
    expect(page).toContain('This sign-in link is not valid.');
    expect(page).toContain('invalid_redirect_uri');
  }
});

test('PKCE is required, and plain is refused: back to the client with invalid_request and iss', async () => {
  for (const pkce of [{}, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }] as Record<string, string>[]) {
    const answer = await authorize({ redirect_uri: redirectUri, state: 'st-1', ...pkce });
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'invalid_request', state: 'st-1', iss: issuer });
  }
});

test('the token endpoint authenticates the app by its secret (basic and post), not by the stored hash', async () => {
  const token = (headers: Record<string, string>, body: Record<string, string>) =>
    fetch(`${issuer}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'no-such-code',
        redirect_uri: redirectUri,
        code_verifier: 'v'.repeat(43),
        ...body,
      }),
    });
  const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`shop:${encodeURIComponent(secret)}`).toString('base64')}` });
  // Authenticated: the code is what is wrong.
  expect(await (await token(basic(SECRET), {})).json()).toMatchObject({ error: 'invalid_grant' });
  expect(await (await token({}, { client_id: 'shop', client_secret: SECRET })).json()).toMatchObject({ error: 'invalid_grant' });
  for (const wrong of [sha256(SECRET), 'wrong-secret-0123456789']) {
    const refused = await token(basic(wrong), {});
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
  }
});
