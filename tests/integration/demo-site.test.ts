/**
 * The demo website's backend (server/http/demo-site.ts) over real HTTP, on a real qrlogin's key
 * set and OIDC store: an ID token of app `demo` becomes an HttpOnly, SameSite=Lax session
 * cookie on `/demo/api`; a back-channel logout token signed by qrlogin for `demo` marks its
 * `sid` signed out (in the shared store), and the next `GET /demo/api/session` says
 * "signed-out-from-phone" and clears the cookie. A forged token, another app's, one with a
 * nonce or without events, and an ID token in place of a logout token are refused with 400
 * and change nothing. No answer quotes a token. Through the real server (which mounts the
 * routes when the demo pages are on), a phone's sign-out reaches the endpoint by itself.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type JWTPayload, SignJWT, generateKeyPair } from 'jose';
import { DEMO_SESSION_COOKIE, demoSiteRoutes } from '../../server/http/demo-site';
import { createLogger } from '../../server/logger';
import { API, type CheckData, type UserInfoData } from '../../shared/http';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../shared/logout-token';
import { api, dataOf } from '../helpers/api';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';

let qrlogin: TestServer;
let site: { url: string; server: Server; logs: string[] };
let secureSite: { url: string; server: Server; logs: string[] };

/** The demo routes on an Express app of their own, on qrlogin's keys and OIDC store. */
async function startSite(secureCookies: boolean) {
  const logs: string[] = [];
  const web = express();
  web.use(
    demoSiteRoutes({
      issuer: qrlogin.config.issuer,
      keys: qrlogin.app.keys,
      oidc: qrlogin.app.stores.oidc,
      logger: createLogger('debug', (line) => logs.push(line)),
      secureCookies,
    }),
  );
  const server = web.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, logs };
}

beforeAll(async () => {
  qrlogin = await startServer();
  site = await startSite(false);
  secureSite = await startSite(true);
});
afterAll(async () => {
  for (const { server } of [site, secureSite]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await qrlogin.close();
});

let counter = 0;
const now = () => Math.floor(Date.now() / 1000);

/** Signed with qrlogin's current key (as its ID and logout tokens are). */
function sign(payload: JWTPayload, typ: string): Promise<string> {
  const key = qrlogin.app.keys.current;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
}

/** An ID token as qrlogin issues it for a confirmed login of the demo app, with its sid. */
async function idToken(overrides: JWTPayload = {}) {
  counter += 1;
  const sid = `sid-${counter}-${Math.random().toString(36).slice(2)}`;
  const iat = now();
  const claims = { iss: qrlogin.config.issuer, aud: 'demo', sub: `user-${counter}`, iat, exp: iat + 3600, jti: `jti-${counter}`, sid };
  Object.assign(claims, { amr: ['qr'], auth_time: iat, name: 'Zoë', nickname: 'Zoë', preferred_username: `zoe${counter}` }, overrides);
  return { token: await sign(claims, 'JWT'), sid: claims.sid, sub: claims.sub, claims };
}

function logoutClaims(sid: string | undefined, sub: string, overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: qrlogin.config.issuer,
    aud: 'demo',
    iat: now(),
    exp: now() + 120,
    jti: `logout-${Math.random().toString(36).slice(2)}`,
    sub,
    ...(sid ? { sid } : {}),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...overrides,
  };
}

async function startSession(token: string, url = site.url) {
  const response = await fetch(`${url}/demo/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idToken: token }),
  });
  return { response, text: await response.text(), setCookie: response.headers.get('set-cookie') ?? '' };
}

/** POSTs a session and returns the cookie header to send back. */
async function signedIn(token: string): Promise<string> {
  const { response, setCookie } = await startSession(token);
  expect(response.status).toBe(200);
  return setCookie.split(';')[0] ?? '';
}

async function session(cookie?: string, url = site.url) {
  const response = await fetch(`${url}/demo/api/session`, { headers: cookie ? { cookie } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return { body: (await response.json()) as Record<string, unknown>, setCookie: response.headers.get('set-cookie') ?? '' };
}

async function backchannel(body: string, contentType = 'application/x-www-form-urlencoded') {
  const response = await fetch(`${site.url}/demo/api/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), text: await response.text() };
}

const logoutForm = (token: string) => new URLSearchParams({ logout_token: token }).toString();

test('an ID token of the demo app starts a session: an HttpOnly, SameSite=Lax cookie on /demo/api holding it', async () => {
  const { token, sid } = await idToken();
  const { response, text, setCookie } = await startSession(token);
  expect(response.status).toBe(200);
  expect(JSON.parse(text)).toEqual({ signedIn: true, sid });
  expect(setCookie).toMatch(new RegExp(`^${DEMO_SESSION_COOKIE}=${token.replace(/\./g, '\\.')};`));
  expect(setCookie).toMatch(/; Path=\/demo\/api/);
  expect(setCookie).toMatch(/; HttpOnly/);
  expect(setCookie).toMatch(/; SameSite=Lax/);
  expect(setCookie).not.toMatch(/; Secure/);
  expect(text).not.toContain(token);
  // Behind https (secureCookies), the cookie is Secure.
  expect((await startSession(token, secureSite.url)).setCookie).toMatch(/; Secure/);

  const { body, setCookie: untouched } = await session(setCookie.split(';')[0]);
  expect(body).toMatchObject({ signedIn: true, sid, user: { nickname: 'Zoë' } });
  expect(untouched).toBe('');
});

test('no cookie: signed out, reason none', async () => {
  expect((await session()).body).toEqual({ signedIn: false, reason: 'none' });
  const garbage = await session(`${DEMO_SESSION_COOKIE}=not-a-token`);
  expect(garbage.body).toEqual({ signedIn: false, reason: 'none' });
  expect(garbage.setCookie).toMatch(new RegExp(`^${DEMO_SESSION_COOKIE}=;`));
});

test('anything but a valid demo ID token is refused with 400/401/403/415 JSON, never quoting it', async () => {
  const shop = await idToken({ aud: 'shop' });
  const expired = await idToken({ iat: now() - 7200, exp: now() - 3600 });
  const { privateKey } = await generateKeyPair('ES256');
  const forged = await new SignJWT((await idToken()).claims)
    .setProtectedHeader({ alg: 'ES256', kid: qrlogin.app.keys.current.kid, typ: 'JWT' })
    .sign(privateKey);
  const logoutToken = await sign(logoutClaims('sid-x', 'user-x'), 'logout+jwt');
  const phoneUser = qrlogin.app.tokens.signUserToken('user-1').token;
  for (const token of [shop.token, expired.token, forged, logoutToken, phoneUser, 'a.b.c']) {
    const { response, text, setCookie } = await startSession(token);
    expect([response.status, JSON.parse(text)]).toEqual([401, { error: 'invalid_token' }]);
    expect(text).not.toContain(token);
    expect(setCookie).toBe('');
  }
  const post = (init: RequestInit) => fetch(`${site.url}/demo/api/session`, { method: 'POST', ...init });
  const valid = (await idToken()).token;
  const noToken = await post({ headers: { 'content-type': 'application/json' }, body: '{}' });
  expect([noToken.status, await noToken.json()]).toEqual([400, { error: 'id_token_required' }]);
  const malformed = await post({ headers: { 'content-type': 'application/json' }, body: '{"idToken":' });
  expect([malformed.status, await malformed.json()]).toEqual([400, { error: 'invalid_request' }]);
  const form = await post({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `idToken=${valid}` });
  expect([form.status, await form.json()]).toEqual([415, { error: 'json_required' }]);
  const crossSite = await post({
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
    body: JSON.stringify({ idToken: valid }),
  });
  expect([crossSite.status, await crossSite.json()]).toEqual([403, { error: 'cross_site' }]);
});

test('a forged, foreign-audience, nonce-carrying or event-less logout token, or an ID token, is refused and signs nobody out', async () => {
  const { token, sid, sub } = await idToken();
  const cookie = await signedIn(token);
  const { privateKey } = await generateKeyPair('ES256');
  const forged = await new SignJWT(logoutClaims(sid, sub))
    .setProtectedHeader({ alg: 'ES256', kid: qrlogin.app.keys.current.kid, typ: 'logout+jwt' })
    .sign(privateKey);
  const refused = [
    forged,
    await sign(logoutClaims(sid, sub, { aud: 'shop' }), 'logout+jwt'),
    await sign(logoutClaims(sid, sub, { iss: 'https://elsewhere.example' }), 'logout+jwt'),
    await sign(logoutClaims(sid, sub, { nonce: 'n-1' }), 'logout+jwt'),
    await sign(logoutClaims(sid, sub, { events: undefined }), 'logout+jwt'),
    await sign(logoutClaims(sid, sub, { jti: undefined }), 'logout+jwt'),
    await sign(logoutClaims(sid, sub), 'JWT'),
    token, // the ID token itself: typ JWT, no events
    'not-a-jwt',
  ];
  for (const logoutToken of refused) {
    const answer = await backchannel(logoutForm(logoutToken));
    expect([answer.status, answer.cacheControl, JSON.parse(answer.text)]).toEqual([400, 'no-store', { error: 'invalid_request' }]);
  }
  expect((await backchannel('')).status).toBe(400);
  // As JSON rather than a form: no logout_token read.
  expect((await backchannel(JSON.stringify({ logout_token: refused[1] }), 'application/json')).status).toBe(400);
  // Over 8 kB.
  expect((await backchannel(logoutForm('x'.repeat(9000)))).status).toBe(400);
  expect((await session(cookie)).body).toMatchObject({ signedIn: true, sid });
  expect(site.logs.join('\n')).not.toContain(token);
  // Each refused for its own reason (the log names the rule, never the token).
  const problems = site.logs
    .filter((line) => line.includes('back-channel logout refused'))
    .map((line) => JSON.parse(line).problem as string);
  expect(problems).toEqual(
    expect.arrayContaining([
      'signature verification failed',
      'unexpected "aud" claim value',
      'unexpected "iss" claim value',
      expect.stringMatching(/nonce/),
      expect.stringMatching(/no events claim/),
      expect.stringMatching(/"jti"/),
      'the header typ is not logout+jwt',
      'no logout_token',
    ]),
  );
});

test('a valid logout token marks the sid: GET says signed out from the phone and clears the cookie; only that sid', async () => {
  const first = await idToken();
  const other = await idToken({ sub: first.sub });
  const cookie = await signedIn(first.token);
  const otherCookie = await signedIn(other.token);

  const answer = await backchannel(logoutForm(await sign(logoutClaims(first.sid, first.sub), 'logout+jwt')));
  expect([answer.status, answer.cacheControl, answer.text]).toEqual([200, 'no-store', '']);
  expect(await qrlogin.app.stores.oidc.find('DemoSignOut', first.sid)).toEqual({ at: expect.any(Number) });

  const after = await session(cookie);
  expect(after.body).toEqual({ signedIn: false, reason: 'signed-out-from-phone' });
  expect(after.setCookie).toMatch(new RegExp(`^${DEMO_SESSION_COOKIE}=;.*Path=/demo/api.*Expires=Thu, 01 Jan 1970`));
  // The same user's other sign-in (another sid) stays.
  expect((await session(otherCookie)).body).toMatchObject({ signedIn: true, sid: other.sid });
  // The token cannot start a session again, and a repeated delivery is fine.
  expect(JSON.parse((await startSession(first.token)).text)).toEqual({ error: 'signed_out' });
  expect((await backchannel(logoutForm(await sign(logoutClaims(first.sid, first.sub), 'logout+jwt')))).status).toBe(200);
});

test('a logout token without sid signs out every earlier sign-in of its sub; typ may be absent', async () => {
  const one = await idToken({ iat: now() - 5 });
  const two = await idToken({ sub: one.sub, iat: now() - 5 });
  const cookies = [await signedIn(one.token), await signedIn(two.token)];
  const key = qrlogin.app.keys.current;
  const untyped = await new SignJWT(logoutClaims(undefined, one.sub))
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .sign(key.privateKey);
  expect((await backchannel(logoutForm(untyped))).status).toBe(200);
  for (const cookie of cookies) expect((await session(cookie)).body).toEqual({ signedIn: false, reason: 'signed-out-from-phone' });
});

test('an expired session token: signed out, reason expired, cookie cleared', async () => {
  const { token } = await idToken({ iat: now() - 7200, exp: now() - 3600 });
  const { body, setCookie } = await session(`${DEMO_SESSION_COOKIE}=${token}`);
  expect(body).toEqual({ signedIn: false, reason: 'expired' });
  expect(setCookie).toMatch(new RegExp(`^${DEMO_SESSION_COOKIE}=;`));
});

test('through the real server: a demo login, then the phone’s sign-out, reaches /demo/api/backchannel-logout and ends the session', async () => {
  const http = api(qrlogin.url);
  const phone = await registerUser(http, 'Real Rita');
  const qr = await gene(http);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket: check.ticket }, { 'x-qrlogin-secret': qr.secret }));

  const started = await startSession(user.token, qrlogin.url);
  expect(started.response.status).toBe(200);
  const { sid } = JSON.parse(started.text) as { sid: string };
  expect(sid).toEqual(expect.any(String));
  const cookie = started.setCookie.split(';')[0] ?? '';
  const ask = async () =>
    (await (await fetch(`${qrlogin.url}/demo/api/session`, { headers: { cookie } })).json()) as Record<string, unknown>;
  expect(await ask()).toMatchObject({ signedIn: true, sid, user: { nickname: 'Real Rita' } });

  expect(dataOf(await http.delete(`${API.sessions}/${sid}`, bearer(phone.token)))).toEqual({ signedOut: [sid] });
  const deadline = Date.now() + 10_000;
  let answer = await ask();
  while (answer.signedIn !== false && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await ask();
  }
  expect(answer).toEqual({ signedIn: false, reason: 'signed-out-from-phone' });
});
