/**
 * The company's own tokens on the phone (PROTOCOL §7), against a real identity provider
 * (oidc-provider in a child process, tests/helpers/idp): its JWT access tokens and its opaque
 * tokens (introspection) sign a browser in as its account, beside the built-in users or
 * instead of them; `me`, `logout`, the pending-scan cap and the per-user rate limits know the
 * account by its `sub`. Refusals: external-refusals.test.ts; outages and key rotation:
 * external-outage.test.ts.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { MAX_PENDING_SCANS } from '../../server/services/qr-login';
import { API, type MeData, type PublicUser } from '../../shared/http';
import { type Api, api, dataOf } from '../helpers/api';
import { bearer, gene, registerUser, scan } from '../helpers/flow';
import { type TestIdp, startIdp } from '../helpers/idp/index';
import { SHOP_API, idpEnv, signInWith } from '../helpers/idp/login';
import { type TestServer, startServer } from '../helpers/server';

const ALICE: PublicUser = {
  id: 'alice-1001',
  username: 'alice',
  nickname: 'Alice Example',
  photo: 'https://cdn.shop.test/alice.png',
  email: 'alice@shop.test',
  phone: null,
};
const BOB: PublicUser = {
  id: 'bob-2002',
  username: 'bob@shop.test',
  nickname: 'Bob Builder',
  photo: null,
  email: 'bob@shop.test',
  phone: '+15550100',
};

let idp: TestIdp;
let server: TestServer;
let http: Api;

beforeAll(async () => {
  idp = await startIdp();
  server = await startServer({ env: idpEnv(idp) });
  http = api(server.url);
});
afterAll(async () => {
  await server?.close();
  await idp?.stop();
});

const codeOf = async (token: string, path: string = API.me) => (await http.get(path, bearer(token))).body.code;

test('a JWT access token of the provider signs a browser in: the ID token says its sub, name and picture', async () => {
  const token = await idp.mint('alice-1001', { resource: SHOP_API });
  expect(token.split('.')).toHaveLength(3);

  const user = await signInWith(http, token);
  expect(user).toEqual({ ...ALICE, token: expect.any(String), tokenExpiredAt: expect.any(String) });

  const jwks = createRemoteJWKSet(new URL(`${server.url}${API.jwks}`));
  const { payload } = await jwtVerify(user.token, jwks, { issuer: server.config.issuer, audience: 'demo' });
  expect(payload).toMatchObject({
    sub: 'alice-1001',
    name: 'Alice Example',
    nickname: 'Alice Example',
    preferred_username: 'alice',
    picture: 'https://cdn.shop.test/alice.png',
    email: 'alice@shop.test',
    amr: ['qr'],
  });
});

test('an opaque token of the provider is introspected and signs a browser in as its account', async () => {
  const token = await idp.mint('bob-2002');
  expect(token.split('.')).toHaveLength(1);
  expect(await signInWith(http, token)).toEqual({ ...BOB, token: expect.any(String), tokenExpiredAt: expect.any(String) });
});

test('GET /api/v2/me answers the profile of a company token, JWT or opaque, as it does for a built-in user', async () => {
  expect(dataOf(await http.get<MeData>(API.me, bearer(await idp.mint('alice-1001', { resource: SHOP_API }))))).toEqual({ user: ALICE });
  expect(dataOf(await http.get<MeData>(API.me, bearer(await idp.mint('bob-2002'))))).toEqual({ user: BOB });
  const builtin = await registerUser(http, 'Carol');
  expect(dataOf(await http.get<MeData>(API.me, bearer(builtin.token)))).toEqual({ user: builtin.user });
});

test('the account that scanned is the one that may confirm: another account of the provider may not', async () => {
  const token = await idp.mint('alice-1001', { resource: SHOP_API });
  const qr = await gene(http);
  expect(await scan(http, token, qr.random)).toMatchObject({ random: qr.random, status: 1 });
  const other = await idp.mint('bob-2002', { resource: SHOP_API });
  // Another account cannot confirm what Alice scanned.
  expect((await http.post(API.confirm, { random: qr.random }, bearer(other))).body.code).toBe(2243);
  expect((await http.post(API.cancel, { random: qr.random }, bearer(token))).body.code).toBe(200);
});

test.each([
  ['a JWT', () => idp.mint('alice-1001', { resource: SHOP_API })],
  ['an opaque token', () => idp.mint('bob-2002')],
])('logout with %s: 200, then that token gets 2020 everywhere, and other tokens of the account still work', async (_kind, mint) => {
  const token = await mint();
  const spare = await mint();
  expect(await codeOf(token)).toBe(200);
  expect((await http.post(API.logout, {}, bearer(token))).body).toMatchObject({ code: 200 });
  expect(await codeOf(token)).toBe(2020);
  const qr = await gene(http);
  expect((await http.post(API.scanned, { random: qr.random }, bearer(token))).body.code).toBe(2020);
  expect((await http.post(API.logout, {}, bearer(token))).body.code).toBe(2020);
  expect(await codeOf(spare)).toBe(200);
});

test('built-in users and company tokens side by side: both sign in, each as itself', async () => {
  const builtin = await registerUser(http, 'Dave');
  const mine = await signInWith(http, builtin.token);
  expect(mine).toMatchObject({ id: builtin.user.id, nickname: 'Dave' });
  const theirs = await signInWith(http, await idp.mint('alice-1001', { resource: SHOP_API }));
  expect(theirs).toMatchObject({ id: 'alice-1001' });
});

test(`the pending-scan cap counts the account (its sub), whichever of its tokens scans`, async () => {
  const held = [];
  for (let i = 0; i < MAX_PENDING_SCANS; i += 1) {
    // A fresh token each time, JWT and opaque in turn: one account all the same.
    const token = i % 2 === 0 ? await idp.mint('frank-5005', { resource: SHOP_API }) : await idp.mint('frank-5005');
    const qr = await gene(http);
    await scan(http, token, qr.random);
    held.push({ qr, token });
  }
  const extra = await gene(http);
  const refused = await http.post(API.scanned, { random: extra.random }, bearer(await idp.mint('frank-5005')));
  expect(refused.status).toBe(429);
  expect(refused.body.message).toMatch(/not yet confirmed or cancelled/);
  // Another account is not affected.
  expect((await http.post(API.scanned, { random: extra.random }, bearer(await idp.mint('bob-2002')))).body.code).toBe(200);
  for (const { qr, token } of held) await http.post(API.cancel, { random: qr.random }, bearer(token));
});

describe('BUILTIN_USERS=false', () => {
  let closed: TestServer;
  let only: Api;

  beforeAll(async () => {
    closed = await startServer({ env: { ...idpEnv(idp), BUILTIN_USERS: 'false', RATE_LIMITS: 'scanned=3/60' } });
    only = api(closed.url);
  });
  afterAll(() => closed?.close());

  test('register and login answer 2028', async () => {
    const credentials = { username: 'erin', password: 'correct horse battery' };
    expect((await only.post(API.register, credentials)).body).toEqual({ code: 2028, message: expect.any(String), data: null });
    expect((await only.post(API.login, credentials)).body.code).toBe(2028);
  });

  test('a valid built-in user token of this very server gets 2020; company tokens work', async () => {
    const record = { id: 'builtin-erin', username: 'erin', passwordHash: 'x', nickname: 'Erin', photo: null, email: null, phone: null };
    await closed.app.stores.users.create({ ...record, createdAt: Date.now() });
    const builtin = closed.app.tokens.signUserToken(record.id).token;
    expect((await only.get(API.me, bearer(builtin))).body.code).toBe(2020);
    expect((await signInWith(only, await idp.mint('alice-1001', { resource: SHOP_API }))).id).toBe('alice-1001');
    expect((await signInWith(only, await idp.mint('bob-2002'))).id).toBe('bob-2002');
  });

  test('the per-user scan limit (here 3 a minute) counts the account across its JWT and opaque tokens', async () => {
    const tokens = [await idp.mint('carol-3003', { resource: SHOP_API }), await idp.mint('carol-3003')];
    for (let i = 0; i < 3; i += 1) {
      const qr = await gene(only);
      expect((await only.post(API.scanned, { random: qr.random }, bearer(tokens[i % 2] ?? ''))).body.code).toBe(200);
    }
    const qr = await gene(only);
    const limited = await only.post(API.scanned, { random: qr.random }, bearer(tokens[1] ?? ''));
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/Too many requests/);
    // Another account's count is its own.
    expect((await only.post(API.scanned, { random: qr.random }, bearer(await idp.mint('dave-4004')))).body.code).toBe(200);
  });
});
