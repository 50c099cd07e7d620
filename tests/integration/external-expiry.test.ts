/**
 * How long qrlogin's answers about the company's tokens last, against the real provider
 * (tests/helpers/idp), with qrlogin on a movable clock and the provider on real time: a refusal
 * of introspection is reused for a few seconds only, a token is never accepted past its `exp`
 * (plus the clock tolerance) however recently it was checked, and a logout lasts as long as the
 * token is accepted, tolerance included. The provider counts the requests it gets.
 */
import { basicAuthorization } from '../../server/auth/external/introspection';
import { CLOCK_TOLERANCE_SECONDS } from '../../server/auth/external/outcome';
import { API } from '../../shared/http';
import { type Api, api } from '../helpers/api';
import { bearer } from '../helpers/flow';
import { type TestIdp, startIdp } from '../helpers/idp/index';
import { SHOP_API, idpEnv } from '../helpers/idp/login';
import { type TestServer, startServer } from '../helpers/server';
import { type MovableClock, movableClock } from '../helpers/time';

const INTROSPECTION = '/token/introspection';

let idp: TestIdp;
let server: TestServer;
let http: Api;
let clock: MovableClock;

beforeAll(async () => {
  idp = await startIdp();
});
beforeEach(async () => {
  clock = movableClock();
  server = await startServer({ env: idpEnv(idp), deps: { now: clock.now } });
  http = api(server.url);
});
afterEach(() => server?.close());
afterAll(() => idp?.stop());

const codeOf = async (token: string) => (await http.get(API.me, bearer(token))).body.code;

/** The `exp` of a token, read from the provider's own introspection answer (JWTs from the payload). */
async function expOf(token: string): Promise<number> {
  const [, payload] = token.split('.');
  if (payload !== undefined) return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number }).exp;
  const response = await fetch(idp.introspectionUrl, {
    method: 'POST',
    headers: { authorization: basicAuthorization(idp.clientId, idp.clientSecret) },
    body: new URLSearchParams({ token }),
  });
  return ((await response.json()) as { exp: number }).exp;
}

test('a refusal of introspection is reused for 5 s: two checks within them make one request, a check after them another', async () => {
  const unknown = 'ZCnEnlwZ6_VFAbBVn5ZDlCOpT38zcS2SdvUzFcdlxgZ';
  const before = await idp.requests(INTROSPECTION);
  expect(await codeOf(unknown)).toBe(2020);
  expect(await idp.requests(INTROSPECTION)).toBe(before + 1);
  clock.advance(4_999);
  expect(await codeOf(unknown)).toBe(2020);
  expect(await idp.requests(INTROSPECTION)).toBe(before + 1);
  clock.advance(1);
  expect(await codeOf(unknown)).toBe(2020);
  expect(await idp.requests(INTROSPECTION)).toBe(before + 2);
});

test('an accepted introspection answer is reused: a second check within the minute asks nothing', async () => {
  const token = await idp.mint('bob-2002');
  const before = await idp.requests(INTROSPECTION);
  expect(await codeOf(token)).toBe(200);
  clock.advance(59_000);
  expect(await codeOf(token)).toBe(200);
  expect(await idp.requests(INTROSPECTION)).toBe(before + 1);
});

test.each([
  ['an opaque token', () => idp.mint('bob-2002', { expiresIn: 20 })],
  ['a JWT', () => idp.mint('alice-1001', { resource: SHOP_API, expiresIn: 20 })],
])('%s ending in 20 s, accepted a moment ago, is refused once past its exp and the tolerance (not 60 s later)', async (_kind, mint) => {
  const token = await mint();
  const end = ((await expOf(token)) + CLOCK_TOLERANCE_SECONDS) * 1000;
  expect(end - clock.now()).toBeLessThan(60_000);
  expect(await codeOf(token)).toBe(200);
  clock.set(end - 1);
  expect(await codeOf(token)).toBe(200);
  clock.set(end);
  expect(await codeOf(token)).toBe(2020);
});

test.each([
  ['an opaque token', () => idp.mint('bob-2002', { expiresIn: 20 })],
  ['a JWT', () => idp.mint('alice-1001', { resource: SHOP_API, expiresIn: 20 })],
])('%s logged out stays refused past its exp, while the tolerance would still accept it', async (_kind, mint) => {
  const token = await mint();
  const spare = await mint();
  const exp = (await expOf(token)) * 1000;
  expect(await codeOf(token)).toBe(200);
  expect((await http.post(API.logout, {}, bearer(token))).body.code).toBe(200);
  clock.set(exp + (CLOCK_TOLERANCE_SECONDS * 1000) / 2);
  // Another token of the same age is still accepted: the tolerance holds, the logout too.
  expect(await codeOf(spare)).toBe(200);
  expect(await codeOf(token)).toBe(2020);
});
