/**
 * Attacks on the OpenID Connect front door (issue 15), against a real server on port 0:
 * - open redirect: no `redirect_uri` or `post_logout_redirect_uri` but the registered ones,
 *   byte for byte, is ever redirected to;
 * - code injection: a code issued to one client is refused to another (and to itself without
 *   its PKCE verifier, or a second time);
 * - mix-up (RFC 9207): every redirect back carries `iss`;
 * - the app secret's stored hash does not authenticate a client;
 * - a replayed callback: the RP (openid-client) refuses a state it did not expect, and the same
 *   callback twice (the code works once).
 */
import * as client from 'openid-client';
import { sha256 } from '../../server/domain/secrets';
import { API, type CheckData } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { confirm, gene, registerUser, scan } from '../helpers/flow';
import { signInOverHttp } from '../helpers/oidc-http';
import { type TestServer, startServer } from '../helpers/server';

const SHOP = { id: 'shop', name: 'Shop', secret: 'shop-secret-0123456789abcdef', redirect: 'https://shop.example/callback' };
const BANK = { id: 'bank', name: 'Bank', secret: 'bank-secret-0123456789abcdef', redirect: 'https://bank.example/callback' };
/** An app whose tickets anyone polling its QR may see (bindTicketToBrowser off, as a kiosk might). */
const KIOSK = { id: 'kiosk', name: 'Kiosk', secret: 'kiosk-secret-0123456789abcdef', redirect: 'https://kiosk.example/callback' };
let server: TestServer;

beforeAll(async () => {
  const apps = [SHOP, BANK, KIOSK].map((app) => ({
    id: app.id,
    name: app.name,
    secret: app.secret,
    origins: [],
    redirectUris: [app.redirect],
    postLogoutRedirectUris: [`https://${app.id}.example/`],
    ...(app === KIOSK ? { bindTicketToBrowser: false } : {}),
  }));
  server = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
});
afterAll(() => server.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function token(client: { id: string; secret: string }, body: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', ...body }),
  });
}

test('open redirect: look-alike redirect URIs get an error page, never a Location', async () => {
  const lookAlikes = [
    'https://evil.example/callback',
    'https://shop.example.evil.example/callback',
    'https://shop.example@evil.example/callback',
    'https://shop.example/callback/../../evil',
    'https://shop.example/callback?next=https://evil.example',
    'https://shop.example/callback#x',
    'http://shop.example/callback',
    'https://SHOP.example/callback',
    'https://shop.example/Callback',
    'https://shop.example:443/callback/',
    'javascript:alert(1)//https://shop.example/callback',
    BANK.redirect, // another client's
  ];
  for (const uri of lookAlikes) {
    const query = new URLSearchParams({
      client_id: 'shop',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: uri,
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
    const answer = await fetch(`${server.url}/oidc/auth?${query.toString()}`, { redirect: 'manual' });
    expect({ uri, status: answer.status, location: answer.headers.get('location') }).toEqual({ uri, status: 400, location: null });
  }
});

test('open redirect at sign-out: an unregistered post_logout_redirect_uri is never redirected to', async () => {
  const query = new URLSearchParams({ client_id: 'shop', post_logout_redirect_uri: 'https://evil.example/' });
  const answer = await fetch(`${server.url}/oidc/session/end?${query.toString()}`, { redirect: 'manual' });
  expect(answer.headers.get('location')).toBeNull();
  expect(answer.status).toBe(400);
});

test('open redirect at sign-out, with a valid id_token_hint: only the client’s own registered URI, byte for byte', async () => {
  const signIn = await signInOverHttp(server.url, { clientId: 'shop', redirectUri: SHOP.redirect });
  const exchanged = await token(SHOP, { code: signIn.code, redirect_uri: SHOP.redirect, code_verifier: signIn.verifier });
  const { id_token: idToken } = (await exchanged.json()) as { id_token: string };
  const endSession = (params: Record<string, string>) =>
    fetch(`${server.url}/oidc/session/end?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
  const lookAlikes = [
    'https://evil.example/',
    'https://shop.example',
    'https://shop.example/?next=https://evil.example',
    'https://shop.example/#',
    'https://shop.example.evil.example/',
    'https://shop.example@evil.example/',
    'http://shop.example/',
    'https://bank.example/', // another client's registered one
  ];
  for (const uri of lookAlikes) {
    const answer = await endSession({ id_token_hint: idToken, post_logout_redirect_uri: uri, state: 's' });
    expect({ uri, status: answer.status, location: answer.headers.get('location') }).toEqual({ uri, status: 400, location: null });
  }
  // Without saying which client (no id_token_hint, no client_id) the URI is dropped: signed
  // out (the confirmation form posted, as the page does by itself), and not sent there.
  const anonymous = await endSession({ post_logout_redirect_uri: 'https://evil.example/', state: 's' });
  expect(anonymous.headers.get('location')).toBeNull();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(await anonymous.text())?.[1] ?? '';
  const confirmed = await fetch(`${server.url}/oidc/session/end/confirm`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: anonymous.headers
        .getSetCookie()
        .map((line) => line.split(';')[0])
        .join('; '),
    },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
  expect(xsrf).not.toBe('');
  // To the provider's own "signed out" page, not to the URI given.
  expect(confirmed.headers.get('location')).toBe(`${server.url}/oidc/session/end/success`);
  // The registered URI with the same hint is taken: the provider asks before signing out (no redirect yet).
  const registered = await endSession({ id_token_hint: idToken, post_logout_redirect_uri: 'https://shop.example/', state: 's' });
  expect({ status: registered.status, location: registered.headers.get('location') }).toEqual({ status: 200, location: null });
});

test('a replayed callback: openid-client refuses a state it did not send, and the same callback twice', async () => {
  const config = await client.discovery(new URL(server.config.issuer), SHOP.id, SHOP.secret, undefined, {
    execute: [client.allowInsecureRequests],
  });
  const signIn = await signInOverHttp(server.url, { clientId: 'shop', redirectUri: SHOP.redirect });
  const callback = new URL(SHOP.redirect);
  callback.search = new URLSearchParams({ code: signIn.code, state: signIn.state, iss: signIn.iss ?? '' }).toString();
  const checks = { pkceCodeVerifier: signIn.verifier, expectedNonce: signIn.nonce };
  /** Why openid-client refused (its ClientError names the check in `cause`), or `accepted`. */
  const refusal = (grant: Promise<unknown>) =>
    grant.then(
      () => 'accepted',
      (error: unknown) => (error as { cause?: { message?: string } }).cause?.message ?? String(error),
    );
  // A callback whose state is not the one this RP keeps for the login (another login's, an
  // attacker's): refused before the code is sent anywhere; and one without a state.
  expect(await refusal(client.authorizationCodeGrant(config, callback, { ...checks, expectedState: client.randomState() }))).toBe(
    'unexpected "state" response parameter value',
  );
  const stateless = new URL(callback);
  stateless.searchParams.delete('state');
  expect(await refusal(client.authorizationCodeGrant(config, stateless, { ...checks, expectedState: signIn.state }))).toBe(
    'response parameter "state" missing',
  );
  // The callback as it came, once: the ID token.
  const tokens = await client.authorizationCodeGrant(config, callback, { ...checks, expectedState: signIn.state });
  expect(tokens.claims()).toMatchObject({ aud: 'shop', sub: signIn.userId });
  // The same callback URL again (a replay from the history, a log, a Referer): the code is spent.
  await expect(client.authorizationCodeGrant(config, callback, { ...checks, expectedState: signIn.state })).rejects.toMatchObject({
    error: 'invalid_grant',
  });
});

test('code injection: a code is refused to another client, without its verifier, or with another redirect_uri', async () => {
  const signIn = await signInOverHttp(server.url, { clientId: 'shop', redirectUri: SHOP.redirect });
  // Mix-up defence: the redirect back names the issuer.
  expect(signIn.iss).toBe(server.config.issuer);
  const body = { code: signIn.code, redirect_uri: SHOP.redirect, code_verifier: signIn.verifier };
  // Another client, with its own valid secret: the code is not its.
  expect(await (await token(BANK, { ...body, redirect_uri: BANK.redirect })).json()).toMatchObject({ error: 'invalid_grant' });
  // The right client without the verifier the code was bound to.
  expect(await (await token(SHOP, { ...body, code_verifier: 'w'.repeat(43) })).json()).toMatchObject({ error: 'invalid_grant' });
  // A redirect_uri other than the one of the request.
  expect(await (await token(SHOP, { ...body, redirect_uri: 'https://shop.example/other' })).json()).toMatchObject({
    error: 'invalid_grant',
  });
  // The stored hash of the secret is not the secret.
  const hashed = await token({ id: 'shop', secret: sha256(SHOP.secret) }, body);
  expect(hashed.status).toBe(401);
  expect(await hashed.json()).toMatchObject({ error: 'invalid_client' });
});

test('a ticket seen by a spectator signs nobody in: it must be of the QR the login page made for that request', async () => {
  const http = api(server.url);
  /** An authorization request started in a browser: its interaction path and cookies. */
  const begin = async () => {
    const query = new URLSearchParams({
      client_id: 'kiosk',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: KIOSK.redirect,
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
    const start = await fetch(`${server.url}/oidc/auth?${query.toString()}`, { redirect: 'manual' });
    const path = start.headers.get('location') ?? '';
    const cookie = start.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return { path, uid: decodeURIComponent(path.split('/').pop() ?? ''), cookie };
  };
  const victim = await begin();
  const attacker = await begin();
  // The victim's page makes its QR for its request; the victim approves it.
  const qr = await gene(http, { 'x-authing-app-id': 'kiosk' }, { customData: { oidcInteraction: victim.uid } });
  const phone = await registerUser(http, 'Victim');
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  // The spectator polls the QR without its secret (this app allows it) and gets the ticket...
  const seen = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-authing-app-id': 'kiosk' }));
  expect(seen.ticket).toEqual(expect.any(String));
  // ...which does not sign the spectator in through its own request.
  const stolen = await fetch(`${server.url}${attacker.path}/login`, {
    method: 'POST',
    headers: { cookie: attacker.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ ticket: seen.ticket }),
  });
  expect(stolen.status).toBe(400);
  // A QR of the client's app made without the request (another page's) is refused too.
  const other = await gene(http, { 'x-authing-app-id': 'kiosk' });
  await scan(http, phone.token, other.random);
  await confirm(http, phone.token, other.random);
  const otherTicket = dataOf(await http.get<CheckData>(`${API.check}?random=${other.random}`, { 'x-authing-app-id': 'kiosk' })).ticket;
  const unbound = await fetch(`${server.url}${victim.path}/login`, {
    method: 'POST',
    headers: { cookie: victim.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ ticket: otherTicket }),
  });
  expect(unbound.status).toBe(400);
  // The victim's own page, with its own ticket: signed in.
  const own = await fetch(`${server.url}${victim.path}/login`, {
    method: 'POST',
    headers: { cookie: victim.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ ticket: seen.ticket }),
  });
  expect(own.status).toBe(200);
});

test('a code works once: the second exchange is refused', async () => {
  const signIn = await signInOverHttp(server.url, { clientId: 'shop', redirectUri: SHOP.redirect });
  const body = { code: signIn.code, redirect_uri: SHOP.redirect, code_verifier: signIn.verifier };
  const first = await token(SHOP, body);
  expect(first.status).toBe(200);
  expect(await first.json()).toMatchObject({ id_token: expect.any(String), token_type: 'Bearer' });
  const second = await token(SHOP, body);
  expect(second.status).toBe(400);
  expect(await second.json()).toMatchObject({ error: 'invalid_grant' });
});

test('the interaction takes a ticket only as JSON from its own page, and only a ticket of the client', async () => {
  const start = await fetch(
    `${server.url}/oidc/auth?${new URLSearchParams({ client_id: 'shop', response_type: 'code', scope: 'openid', redirect_uri: SHOP.redirect, code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' }).toString()}`,
    { redirect: 'manual' },
  );
  const interaction = start.headers.get('location') ?? '';
  const cookie = start.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const post = (headers: Record<string, string>, body: string) =>
    fetch(`${server.url}${interaction}/login`, { method: 'POST', headers: { cookie, ...headers }, body });
  const form = await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'ticket=x');
  expect(form.status).toBe(403);
  const crossSite = await post({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, JSON.stringify({ ticket: 'x' }));
  expect(crossSite.status).toBe(403);
  const unknown = await post({ 'content-type': 'application/json' }, JSON.stringify({ ticket: 'no-such-ticket-0123456789' }));
  expect(unknown.status).toBe(400);
  // A real ticket, but of another app's QR: refused, and still the bank's to redeem.
  const http = api(server.url);
  const phone = await registerUser(http, 'Mallory');
  const qr = await gene(http, { 'x-authing-app-id': 'bank' });
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  const foreign = await post({ 'content-type': 'application/json' }, JSON.stringify({ ticket: check.ticket }));
  expect(foreign.status).toBe(400);
  const redeemed = await http.post(
    API.userinfo,
    { ticket: check.ticket },
    { authorization: `Bearer ${BANK.secret}`, 'x-authing-app-id': 'bank' },
  );
  expect(redeemed.body.code).toBe(200);
});
