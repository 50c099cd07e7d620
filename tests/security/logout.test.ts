/**
 * Security finding "phone user tokens cannot be revoked": `POST /api/v2/logout` puts the
 * token's `jti` on the store's denylist, so that token gets 2020 on every phone endpoint, on
 * every instance, until it would have expired; the user's other tokens keep working; bad
 * tokens get 2020, never a 500; and neither the token nor its jti reaches an answer or a log.
 */
import jwt from 'jsonwebtoken';
import { API, type CheckData, type SessionData } from '../../shared/http';
import { QR_STATUS } from '../../shared/status';
import { type Api, type ApiResponse, api, dataOf } from '../helpers/api';
import { CLUSTER_ISSUER, type Cluster, keysMatching, startCluster } from '../helpers/cluster';
import { bearer, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';

const PASSWORD = 'correct horse battery';
const PHONE_ENDPOINTS = [API.scanned, API.confirm, API.cancel] as const;

const jtiOf = (token: string): string => {
  const jti = jwt.decode(token, { json: true })?.jti;
  if (typeof jti !== 'string') throw new Error('user token without jti');
  return jti;
};

/** The same user logging in again, as a second phone would: a second token. */
async function secondPhone(http: Api, first: SessionData): Promise<SessionData> {
  return dataOf(await http.post<SessionData>(API.login, { username: first.user.username, password: PASSWORD }));
}

/** `POST /api/v2/logout` as the mobile SDK sends it: the token, and no body. */
async function logout(baseUrl: string, headers: Record<string, string>): Promise<ApiResponse<unknown>> {
  const response = await fetch(`${baseUrl}${API.logout}`, { method: 'POST', headers });
  const text = await response.text();
  let body: ApiResponse<unknown>['body'];
  try {
    body = JSON.parse(text) as ApiResponse<unknown>['body'];
  } catch {
    throw new Error(`logout: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

function expectNotLoggedIn(response: ApiResponse<unknown>, ...secrets: string[]): void {
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ code: 2020, data: null });
  const text = JSON.stringify(response.body);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('one instance (memory backend)', () => {
  let server: TestServer;
  const http = () => api(server.url);

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  test('logout answers 200; then that token gets 2020 on scanned, confirm, cancel and logout; another login of the same user still scans', async () => {
    const phone = await registerUser(http(), 'Leaver');
    const other = await secondPhone(http(), phone);
    expect(other.token).not.toBe(phone.token);

    // The token works, and is remembered as verified, before the logout.
    const qr = await gene(http());
    await scan(http(), phone.token, qr.random);

    const out = await logout(server.url, bearer(phone.token));
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ code: 200, message: 'success', data: {} });

    for (const path of PHONE_ENDPOINTS) {
      expectNotLoggedIn(await http().post(path, { random: qr.random }, bearer(phone.token)), phone.token, jtiOf(phone.token));
      // The bare token (as Authing's phone SDKs send it) is refused the same.
      expectNotLoggedIn(await http().post(path, { random: qr.random }, { authorization: phone.token }));
    }
    expectNotLoggedIn(await logout(server.url, bearer(phone.token)), phone.token, jtiOf(phone.token));
    expectNotLoggedIn(await logout(server.url, { authorization: phone.token }));
    // The refused confirm and cancel did nothing to the QR.
    const check = dataOf(await http().get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
    expect(check).toMatchObject({ status: QR_STATUS.SCANNED, version: 1 });

    // The other phone of the same user is still signed in, and so is a login after the logout.
    const fresh = await gene(http());
    await expect(scan(http(), other.token, fresh.random)).resolves.toMatchObject({ status: QR_STATUS.SCANNED });
    const again = await secondPhone(http(), phone);
    await expect(scan(http(), again.token, (await gene(http())).random)).resolves.toMatchObject({ status: QR_STATUS.SCANNED });

    // Nothing of the token or its id reached a log line.
    const logs = server.logs.join('\n');
    for (const secret of [phone.token, jtiOf(phone.token)]) expect(logs).not.toContain(secret);
    for (const part of phone.token.split('.')) expect(logs).not.toContain(part);
  });

  test('logging out one phone leaves the other phone of the same user signed in, and its own logout works too', async () => {
    const first = await registerUser(http(), 'Two Phones');
    const second = await secondPhone(http(), first);
    expect((await logout(server.url, bearer(second.token))).body.code).toBe(200);
    await expect(scan(http(), first.token, (await gene(http())).random)).resolves.toMatchObject({ status: QR_STATUS.SCANNED });
    expect((await logout(server.url, bearer(first.token))).body.code).toBe(200);
    expectNotLoggedIn(await http().post(API.scanned, { random: (await gene(http())).random }, bearer(first.token)));
  });

  test('a missing, empty or garbage token on logout gets 2020, never a 500', async () => {
    const phone = await registerUser(http(), 'Garbage');
    const [head, payload] = phone.token.split('.');
    const forged = `${head}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    const variants: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer    ' },
      { authorization: 'garbage' },
      { authorization: 'Bearer a.b.c' },
      { authorization: 'Bearer ...' },
      { authorization: `Bearer ${'x'.repeat(4000)}` },
      { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
      { authorization: bearer(forged).authorization },
      // The demo app's secret is a valid credential elsewhere, not a user token.
      bearer(server.demoAppSecret),
    ];
    for (const headers of variants) {
      expectNotLoggedIn(await logout(server.url, headers), forged, server.demoAppSecret);
    }
    // With a (valid JSON) body too, and in Chinese.
    expectNotLoggedIn(await http().post(API.logout, {}, { 'x-authing-lang': 'zh-CN' }));
    // None of that touched the real token.
    await expect(scan(http(), phone.token, (await gene(http())).random)).resolves.toMatchObject({ status: QR_STATUS.SCANNED });
  });
});

describe('two instances on one Redis', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(() => cluster.close());

  test('a logout on instance A is honoured by instance B at once, even for a token B had verified before', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    expect(a.config.issuer).toBe(CLUSTER_ISSUER);
    const phone = await registerUser(api(a.url), 'Scaled Leaver');
    const other = await secondPhone(api(b.url), phone);
    // B verifies (and remembers) the token before A revokes it.
    await scan(api(b.url), phone.token, (await gene(api(b.url))).random);

    expect((await logout(a.url, bearer(phone.token))).body).toEqual({ code: 200, message: 'success', data: {} });

    const qr = await gene(api(b.url));
    for (const server of [b, a]) {
      for (const path of PHONE_ENDPOINTS) {
        expectNotLoggedIn(await api(server.url).post(path, { random: qr.random }, bearer(phone.token)), phone.token);
      }
      expectNotLoggedIn(await logout(server.url, bearer(phone.token)), phone.token);
    }
    // The user's other token works on both.
    await expect(scan(api(b.url), other.token, qr.random)).resolves.toMatchObject({ status: QR_STATUS.SCANNED });
    await expect(scan(api(a.url), other.token, (await gene(api(a.url))).random)).resolves.toMatchObject({ status: QR_STATUS.SCANNED });

    // One key under the deployment's prefix, named by the jti, ending when the token would have.
    const jti = jtiOf(phone.token);
    expect(await keysMatching(cluster.redis, `${cluster.prefix}revoked:*`)).toEqual([`${cluster.prefix}revoked:${jti}`]);
    const ttl = await cluster.redis.pTTL(`${cluster.prefix}revoked:${jti}`);
    const left = new Date(phone.tokenExpiredAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(left - 5_000);
    expect(ttl).toBeLessThanOrEqual(left + 1_000);
  });
});
