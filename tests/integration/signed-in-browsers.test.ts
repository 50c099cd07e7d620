/**
 * Signed-in browsers (issue 15 item 4) through the widget's path, on a real server: a redeemed
 * ticket records the browser that showed the QR, the phone lists it with its token and signs it
 * out, and the app's back-channel endpoint receives a logout token that `jose` verifies against
 * the published JWKS, with the `sid` of the ID token the website got; a failing endpoint is
 * retried with fresh tokens. The OpenID Connect path is in oidc-sign-out.test.ts.
 */
import { decodeJwt } from 'jose';
import type { SessionData, SessionsData, SignOutData } from '../../shared/http';
import { API } from '../../shared/http';
import { type Api, api, dataOf } from '../helpers/api';
import { type BackchannelEndpoint, LOGOUT_EVENT, startBackchannelEndpoint, verifyLogoutToken } from '../helpers/backchannel';
import { bearer, redeemedLogin, registerUser } from '../helpers/flow';
import { type TestServer, startServer, testApp, withApps } from '../helpers/server';

const SECRET = 'shop-secret-0123456789abcdef';
const CHROME_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let endpoint: BackchannelEndpoint;
let server: TestServer;
let http: Api;

beforeAll(async () => {
  // Fails twice (an error status, then a dropped connection) before it takes a token.
  endpoint = await startBackchannelEndpoint();
  server = await startServer({
    env: { RATE_LIMITS: 'scanned=40/60' },
    configure: withApps((config) =>
      testApp(config, { id: 'shop', name: 'Example Shop', secret: SECRET, backchannelLogoutUri: endpoint.url }),
    ),
    deps: { logoutDelivery: { retryDelaysMs: [50, 50, 50], attemptTimeoutMs: 2_000 } },
  });
  http = api(server.url);
});
afterAll(async () => {
  await server.close();
  await endpoint.close();
});

/** A login of `phone`'s user into `shop`, its QR shown by a Chrome on macOS; the website's ID token and its sid. */
async function signIn(phone: SessionData): Promise<{ sid: string; idToken: string }> {
  const login = await redeemedLogin(http, { appId: 'shop', appSecret: SECRET, phone, headers: { 'user-agent': CHROME_UA } });
  // A ticket is handed out only at status 2 (confirmed).
  expect(login.ticket).not.toBe('');
  const sid = decodeJwt(login.user.token).sid;
  if (typeof sid !== 'string') throw new Error('the ID token has no sid');
  return { sid, idToken: login.user.token };
}

const list = async (token: string) => dataOf(await http.get<SessionsData>(API.sessions, bearer(token))).sessions;

test('a redeemed ticket is a signed-in browser: listed newest first with the app, browser, system, IP and time', async () => {
  const phone = await registerUser(http, 'Lister');
  const before = Date.now();
  const first = await signIn(phone);
  const second = await signIn(phone);
  expect(first.sid).not.toBe(second.sid);
  const sessions = await list(phone.token);
  expect(sessions.map((s) => s.id)).toEqual([second.sid, first.sid]);
  expect(sessions[0]).toEqual({
    id: second.sid,
    app: { id: 'shop', name: 'Example Shop' },
    browser: 'Chrome 131',
    os: 'macOS Catalina',
    ip: '127.0.0.1',
    createdAt: expect.any(String),
  });
  expect(Date.parse(sessions[0]?.createdAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
  // Another user sees none of them.
  const other = await registerUser(http, 'Other');
  expect(await list(other.token)).toEqual([]);
});

test('signing out sends the app a logout token jose verifies, with the sid of the ID token the website got', async () => {
  const phone = await registerUser(http, 'Signer-out');
  const { sid, idToken } = await signIn(phone);
  const already = endpoint.deliveries.length;
  const out = dataOf(await http.delete<SignOutData>(`${API.sessions}/${sid}`, bearer(phone.token)));
  expect(out).toEqual({ signedOut: [sid] });
  const [delivery] = (await endpoint.received(already + 1)).slice(already);
  expect(delivery?.contentType).toBe('application/x-www-form-urlencoded');
  const claims = await verifyLogoutToken(delivery?.token ?? '', {
    issuer: server.config.issuer,
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    audience: 'shop',
  });
  const idClaims = decodeJwt(idToken);
  expect(claims).toMatchObject({
    iss: server.config.issuer,
    aud: 'shop',
    sid: idClaims.sid,
    sub: idClaims.sub,
    events: { [LOGOUT_EVENT]: {} },
  });
  expect(claims).not.toHaveProperty('nonce');
  expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(300);
  expect(await list(phone.token)).toEqual([]);
  // Signed out already: the phone is told there is no such browser.
  const again = await http.delete(`${API.sessions}/${sid}`, bearer(phone.token));
  expect(again.body).toMatchObject({ code: 404, data: null });
});

test('a failing back-channel endpoint is retried with fresh tokens until it takes one', async () => {
  const flaky = await startBackchannelEndpoint([500, 'reset', 503]);
  const local = await startServer({
    configure: withApps((config) => testApp(config, { id: 'flaky', secret: SECRET, backchannelLogoutUri: flaky.url })),
    deps: { logoutDelivery: { retryDelaysMs: [50, 50, 50, 50], attemptTimeoutMs: 2_000 } },
  });
  try {
    const localHttp = api(local.url);
    const phone = await registerUser(localHttp, 'Retried');
    const { user } = await redeemedLogin(localHttp, { appId: 'flaky', appSecret: SECRET, phone });
    const sid = decodeJwt(user.token).sid;
    await localHttp.delete(`${API.sessions}/${String(sid)}`, bearer(phone.token));
    const deliveries = await flaky.received(4);
    const options = { issuer: local.config.issuer, jwksUrl: `${local.url}/.well-known/jwks.json`, audience: 'flaky' };
    const claims = await Promise.all(deliveries.map((d) => verifyLogoutToken(d.token, options)));
    expect(claims.map((c) => c.sid)).toEqual([sid, sid, sid, sid]);
    expect(new Set(claims.map((c) => c.jti)).size).toBe(4);
    // Taken on the fourth attempt: nothing more is sent.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(flaky.deliveries).toHaveLength(4);
    const lines = local.logs.filter((line) => line.includes('back-channel logout'));
    expect(lines.filter((line) => line.includes('will retry'))).toHaveLength(3);
    expect(lines.some((line) => line.includes('delivered'))).toBe(true);
    for (const line of lines) for (const d of deliveries) expect(line).not.toContain(d.token);
  } finally {
    await local.close();
    await flaky.close();
  }
});

test('the phone endpoints take the user token and its rate limits, like scanned', async () => {
  const phone = await registerUser(http, 'Limited');
  const { sid } = await signIn(phone);
  expect((await http.get(API.sessions)).body).toMatchObject({ code: 2020, data: null });
  expect((await http.get(API.sessions, bearer('not-a-token'))).body).toMatchObject({ code: 2020 });
  expect((await http.delete(`${API.sessions}/${sid}`)).body).toMatchObject({ code: 2020 });
  // Another user cannot sign this browser out, nor learn that it exists.
  const other = await registerUser(http, 'Intruder');
  expect((await http.delete(`${API.sessions}/${sid}`, bearer(other.token))).body).toMatchObject({ code: 404 });
  expect((await http.delete(`${API.sessions}/${'x'.repeat(200)}`, bearer(other.token))).body).toMatchObject({ code: 404 });
  expect(await list(phone.token)).toHaveLength(1);
  // The per-user `scanned` rule (40 a minute here) counts these calls too.
  let limited = 0;
  for (let i = 0; i < 45 && limited === 0; i += 1) {
    const response = await http.get(API.sessions, bearer(other.token));
    if (response.body.code === 429) limited += 1;
  }
  expect(limited).toBe(1);
});
