/**
 * Every company token qrlogin must refuse is refused with 2020 (never a 500, never a login):
 * another audience or issuer, expired, tampered, `alg: none`, HS256 (with any key, the
 * provider's public key too), an algorithm the configuration does not allow, a sender-
 * constrained token, a token without `sub` or `exp`, an opaque token the provider does not
 * know or has revoked. The provider is real (tests/helpers/idp); forged tokens are signed
 * here, some with the provider's own private keys, which the test made.
 */
import { createPublicKey, createSecretKey } from 'node:crypto';
import { type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { MAX_TOKEN_LENGTH } from '../../server/auth/external';
import { basicAuthorization } from '../../server/auth/external/introspection';
import { API } from '../../shared/http';
import { type Api, api } from '../helpers/api';
import { bearer, gene } from '../helpers/flow';
import { type TestIdp, signingKeys, startIdp } from '../helpers/idp/index';
import { SHOP_API, idpEnv } from '../helpers/idp/login';
import { type TestServer, startServer } from '../helpers/server';
import { movableClock } from '../helpers/time';

let idp: TestIdp;
let both: TestServer;
let jwtOnly: TestServer;

beforeAll(async () => {
  idp = await startIdp();
  both = await startServer({ env: idpEnv(idp) });
  jwtOnly = await startServer({ env: { ...idpEnv(idp, { introspection: false }), USER_TOKEN_ALGORITHMS: 'ES256' } });
});
afterAll(async () => {
  await both?.close();
  await jwtOnly?.close();
  await idp?.stop();
});

const now = () => Math.floor(Date.now() / 1000);

/** A token of our own making with the provider's RSA key (unless told otherwise). */
async function forge(
  claims: JWTPayload,
  header: { alg?: string; kid?: string } = {},
  key: Parameters<SignJWT['sign']>[0] = idp.keys.rsa.privateKey,
) {
  return new SignJWT({ iss: idp.issuer, aud: SHOP_API, sub: 'alice-1001', iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: idp.keys.rsa.kid, typ: 'at+jwt', ...header })
    .sign(key);
}

/** The envelope code of `me` and of a scan with `token`, and the HTTP statuses (always 200 here). */
async function answers(http: Api, token: string): Promise<number[]> {
  const qr = await gene(http);
  const me = await http.get(API.me, bearer(token));
  const scanned = await http.post(API.scanned, { random: qr.random }, bearer(token));
  return [me.status, me.body.code, scanned.status, scanned.body.code];
}

const REFUSED = [200, 2020, 200, 2020];
const ACCEPTED = [200, 200, 200, 200];

test('what the provider signs is accepted (the baseline of every refusal below)', async () => {
  expect(await answers(api(both.url), await idp.mint('alice-1001', { resource: SHOP_API }))).toEqual(ACCEPTED);
  expect(await answers(api(both.url), await forge({}))).toEqual(ACCEPTED);
  expect(await answers(api(jwtOnly.url), await idp.mint('alice-1001', { resource: SHOP_API, alg: 'ES256' }))).toEqual(ACCEPTED);
});

test.each<[string, () => Promise<string>]>([
  ['an access token for another API (audience)', () => idp.mint('alice-1001', { resource: 'https://api.other.test' })],
  ['an expired token', () => idp.mint('alice-1001', { resource: SHOP_API, expired: true })],
  ['a token of another issuer, signed with the right key', () => forge({ iss: 'https://idp.evil.test' })],
  ['a token without aud', () => forge({ aud: undefined })],
  ['a token without sub', () => forge({ sub: undefined })],
  ['a token without exp', () => forge({ exp: undefined })],
  ['a token not valid before an hour from now', () => forge({ nbf: now() + 3600 })],
  ['a sender-constrained (DPoP) token', () => forge({ cnf: { jkt: 'aGFzaA' } })],
  ['a token whose signature has a flipped byte', async () => flipSignature(await idp.mint('alice-1001', { resource: SHOP_API }))],
  [
    'a token whose claims were changed after signing',
    async () => swapPayload(await idp.mint('alice-1001', { resource: SHOP_API }), { sub: 'admin' }),
  ],
  ['alg: none', () => Promise.resolve(new UnsecuredJWT({ iss: idp.issuer, aud: SHOP_API, sub: 'alice-1001', exp: now() + 600 }).encode())],
  ['HS256 with a key of its own', () => forge({}, { alg: 'HS256' }, createSecretKey(Buffer.alloc(32, 7)))],
  [
    'HS256 keyed with the provider’s public key (algorithm confusion)',
    () => forge({}, { alg: 'HS256' }, createSecretKey(Buffer.from(publicPem()))),
  ],
  ['a known kid but another key', () => forge({}, {}, signingKeys('impostor').rsa.privateKey)],
  ['an opaque token the provider never issued', () => Promise.resolve('ZCnEnlwZ6_VFAbBVn5ZDlCOpT38zcS2SdvUzFcdlxgZ')],
])('2020 for %s', async (_name, make) => {
  expect(await answers(api(both.url), await make())).toEqual(REFUSED);
});

// A key the provider never published (an unknown kid): external-outage.test.ts, on a movable clock.

test('a token longer than 8 KiB is refused unread: a JWT the provider signed, an opaque token never sent to introspection', async () => {
  const http = api(both.url);
  const fits = await forge({ pad: 'x'.repeat(5_000) });
  const long = await forge({ pad: 'x'.repeat(6_500) });
  expect([fits.length < MAX_TOKEN_LENGTH, long.length > MAX_TOKEN_LENGTH, long.length < 9_500]).toEqual([true, true, true]);
  expect(await answers(http, fits)).toEqual(ACCEPTED);
  expect(await answers(http, long)).toEqual(REFUSED);

  const asked = await idp.requests('/token/introspection');
  expect(await answers(http, 'a'.repeat(9_000))).toEqual(REFUSED);
  expect(await idp.requests('/token/introspection')).toBe(asked);
});

test('an opaque token revoked at the provider is refused', async () => {
  const token = await idp.mint('bob-2002');
  await idp.revoke(token);
  expect(await answers(api(both.url), token)).toEqual(REFUSED);
});

test('a refresh token, at oidc-provider: its answer has no token_type (an access token’s says Bearer), so qrlogin cannot tell it apart — a known gap', async () => {
  const introspect = async (token: string) => {
    const response = await fetch(idp.introspectionUrl, {
      method: 'POST',
      headers: { authorization: basicAuthorization(idp.clientId, idp.clientSecret) },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const access = await idp.mint('bob-2002');
  const refresh = await idp.mint('bob-2002', { refresh: true });
  expect(await introspect(access)).toMatchObject({ active: true, sub: 'bob-2002', token_type: 'Bearer' });
  const answer = await introspect(refresh);
  expect(answer).toMatchObject({ active: true, sub: 'bob-2002', exp: expect.any(Number) });
  expect(answer).not.toHaveProperty('token_type');
  // RFC 7662 makes token_type optional, so its absence is not refused (a `token_type` of
  // `refresh_token`, as other providers answer, is: external-introspection.test.ts). The cure
  // is at the provider: `features.introspection.allowedPolicy` refusing refresh tokens to qrlogin.
  expect((await api(both.url).get(API.me, bearer(refresh))).body.code).toBe(200);
});

test('a JWT-only configuration: another issuer is refused by verification, opaque tokens without asking anyone', async () => {
  const http = api(jwtOnly.url);
  expect(
    await answers(http, await forge({ iss: 'https://idp.evil.test' }, { alg: 'ES256', kid: idp.keys.ec.kid }, idp.keys.ec.privateKey)),
  ).toEqual(REFUSED);
  expect(await answers(http, await idp.mint('bob-2002'))).toEqual(REFUSED);
});

test('USER_TOKEN_ALGORITHMS=ES256: the provider’s own RS256 token is refused, its ES256 one accepted', async () => {
  const http = api(jwtOnly.url);
  expect(await answers(http, await idp.mint('alice-1001', { resource: SHOP_API }))).toEqual(REFUSED);
  expect(await answers(http, await forge({}))).toEqual(REFUSED);
  expect(await answers(http, await idp.mint('alice-1001', { resource: SHOP_API, alg: 'ES256' }))).toEqual(ACCEPTED);
});

test('an introspected token revoked after use works until its answer is 60 s old, then 2020', async () => {
  const clock = movableClock();
  const server = await startServer({ env: idpEnv(idp), deps: { now: clock.now } });
  try {
    const http = api(server.url);
    const token = await idp.mint('bob-2002');
    expect((await http.get(API.me, bearer(token))).body.code).toBe(200);
    await idp.revoke(token);
    expect((await http.get(API.me, bearer(token))).body.code).toBe(200);
    clock.advance(60_000);
    expect((await http.get(API.me, bearer(token))).body.code).toBe(2020);
  } finally {
    await server.close();
  }
});

test('no refusal reached a log line with the token in it', async () => {
  const token = await idp.mint('alice-1001', { resource: 'https://api.other.test' });
  await api(both.url).get(API.me, bearer(token));
  const [, payload = '', signature = ''] = token.split('.');
  for (const line of both.logs) {
    expect(line).not.toContain(payload.slice(0, 40));
    expect(line).not.toContain(signature.slice(0, 40));
  }
});

function flipSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  const middle = Math.floor(bytes.length / 2);
  bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

function swapPayload(token: string, claims: JWTPayload): string {
  const [header, payload = '', signature] = token.split('.');
  const changed = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTPayload), ...claims };
  return `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
}

function publicPem(): string {
  return createPublicKey(idp.keys.rsa.privateKey).export({ type: 'spki', format: 'pem' }).toString();
}
