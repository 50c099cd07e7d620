/**
 * A public OpenID Connect client (`publicClient: true`: a single-page or native app that keeps
 * no secret), against a real server on port 0: openid-client signs in with no client
 * authentication (`client.None()`) and PKCE S256, through the HTTP-only QR sign-in; its code
 * is bound by PKCE alone, so a token request without the verifier, or with another, is
 * refused; a confidential client still needs its secret; and discovery offers `none`.
 */
import * as client from 'openid-client';
import { signInOverHttp } from '../helpers/oidc-http';
import { type TestServer, startServer } from '../helpers/server';

const SPA = { id: 'spa', redirect: 'https://spa.example/callback' };
const SHOP = { id: 'shop', secret: 'shop-secret-0123456789abcdef', redirect: 'https://shop.example/callback' };
let server: TestServer;

beforeAll(async () => {
  const apps = [
    { id: SPA.id, name: 'Single-page app', origins: [], redirectUris: [SPA.redirect], publicClient: true },
    { id: SHOP.id, name: 'Shop', secret: SHOP.secret, origins: [], redirectUris: [SHOP.redirect] },
  ];
  server = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
});
afterAll(() => server.close());

/** openid-client as the app would configure it: a public client authenticates with nothing. */
const discover = (clientId: string, auth: client.ClientAuth = client.None()) =>
  client.discovery(new URL(server.config.issuer), clientId, undefined, auth, { execute: [client.allowInsecureRequests] });

/** The URL the browser would land on after a QR sign-in for `app`, and what the RP kept. */
async function signedIn(app: { id: string; redirect: string }) {
  const signIn = await signInOverHttp(server.url, { clientId: app.id, redirectUri: app.redirect, scope: 'openid profile' });
  const callback = new URL(app.redirect);
  callback.search = new URLSearchParams({ code: signIn.code, state: signIn.state, iss: signIn.iss ?? '' }).toString();
  return { ...signIn, callback };
}

/** A token request without client authentication (`client_id` in the body only). */
const tokenWithoutSecret = (clientId: string, body: Record<string, string>) =>
  fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, ...body }),
  });

test('discovery offers none among the token endpoint auth methods, and S256 only', async () => {
  const discovered = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  expect(discovered.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
  expect(discovered.code_challenge_methods_supported).toEqual(['S256']);
});

test('openid-client signs in as a public client (None + PKCE) and gets a valid ID token', async () => {
  const config = await discover(SPA.id);
  const signIn = await signedIn(SPA);
  const tokens = await client.authorizationCodeGrant(config, signIn.callback, {
    pkceCodeVerifier: signIn.verifier,
    expectedState: signIn.state,
    expectedNonce: signIn.nonce,
  });
  // openid-client validated the signature, iss, aud, nonce and times; these are the claims.
  expect(tokens.claims()).toMatchObject({ iss: server.config.issuer, aud: SPA.id, sub: signIn.userId, amr: ['qr'] });
  expect(tokens.claims()?.sid).toEqual(expect.any(String));
  // The access token reads the user's claims at userinfo.
  const info = await client.fetchUserInfo(config, tokens.access_token, signIn.userId);
  expect(info).toMatchObject({ sub: signIn.userId, nickname: 'HTTP Signer' });
});

test('a public client’s code is bound by PKCE alone: no code_verifier, or another, is invalid_grant', async () => {
  const signIn = await signedIn(SPA);
  const body = { code: signIn.code, redirect_uri: SPA.redirect };
  const missing = await tokenWithoutSecret(SPA.id, body);
  expect(missing.status).toBe(400);
  expect(await missing.json()).toMatchObject({ error: 'invalid_grant' });
  for (const wrong of ['w'.repeat(43), `${signIn.verifier.slice(0, -1)}${signIn.verifier.endsWith('A') ? 'B' : 'A'}`]) {
    const refused = await tokenWithoutSecret(SPA.id, { ...body, code_verifier: wrong });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
  }
  // openid-client with the wrong verifier fails the same way.
  const config = await discover(SPA.id);
  await expect(
    client.authorizationCodeGrant(config, signIn.callback, { pkceCodeVerifier: 'x'.repeat(43), expectedState: signIn.state }),
  ).rejects.toMatchObject({ error: 'invalid_grant' });
});

test('a confidential client presenting no secret is invalid_client, even with the right verifier', async () => {
  const signIn = await signedIn(SHOP);
  const refused = await tokenWithoutSecret(SHOP.id, { code: signIn.code, redirect_uri: SHOP.redirect, code_verifier: signIn.verifier });
  expect(refused.status).toBe(401);
  expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
  const config = await discover(SHOP.id);
  await expect(
    client.authorizationCodeGrant(config, signIn.callback, {
      pkceCodeVerifier: signIn.verifier,
      expectedState: signIn.state,
      expectedNonce: signIn.nonce,
    }),
  ).rejects.toMatchObject({ error: 'invalid_client' });
  // With its secret the same code is still good: the refusals did not spend it.
  const tokens = await client.authorizationCodeGrant(await discover(SHOP.id, client.ClientSecretBasic(SHOP.secret)), signIn.callback, {
    pkceCodeVerifier: signIn.verifier,
    expectedState: signIn.state,
    expectedNonce: signIn.nonce,
  });
  expect(tokens.claims()).toMatchObject({ aud: SHOP.id, sub: signIn.userId });
});

test('no secret is no way into another client’s code: a confidential client’s code is refused to the public client', async () => {
  const signIn = await signedIn(SHOP);
  const stolen = await tokenWithoutSecret(SPA.id, { code: signIn.code, redirect_uri: SHOP.redirect, code_verifier: signIn.verifier });
  expect(stolen.status).toBe(400);
  expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });
  // And a public client presenting a secret (of any kind) is not the public client.
  const basic = `Basic ${Buffer.from(`${SPA.id}:${SHOP.secret}`).toString('base64')}`;
  const withSecret = await fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'no-such-code',
      redirect_uri: SPA.redirect,
      code_verifier: 'v'.repeat(43),
    }),
  });
  expect(withSecret.status).toBe(401);
  expect(await withSecret.json()).toMatchObject({ error: 'invalid_client' });
});

test('a single-page app may call the token endpoint from its redirect URI’s origin (CORS), another origin may not', async () => {
  const preflight = (origin: string) =>
    fetch(`${server.url}/oidc/token`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  expect((await preflight('https://spa.example')).status).toBeLessThan(300);
  const signIn = await signedIn(SPA);
  const token = (origin: string) =>
    fetch(`${server.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: SPA.id,
        code: signIn.code,
        redirect_uri: SPA.redirect,
        code_verifier: signIn.verifier,
      }),
    });
  const foreign = await token('https://evil.example');
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  const own = await token('https://spa.example');
  expect(own.headers.get('access-control-allow-origin')).toBe('https://spa.example');
  expect(own.status).toBe(200);
});
