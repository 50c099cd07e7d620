/**
 * `@qrlogin/node`'s `verifyLogoutToken` against a real qrlogin (port 0) and its published keys:
 * a logout token signed with qrlogin's key verifies (typ `logout+jwt` or none) and returns
 * its `sid`; another audience, another issuer, a `nonce`, no `events`, a real ID token, the
 * phone's user token, a token of a foreign key (served from a JWKS of its own) and an expired
 * one are refused with a stable code, never quoting the token; keys out of reach are
 * `unreachable`.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWTPayload, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { QrLoginTokenError, type VerifyLogoutTokenOptions, verifyLogoutToken } from '@qrlogin/node';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../shared/logout-token';
import { api } from '../helpers/api';
import { registerUser } from '../helpers/flow';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const options = () => ({ issuer: server.config.issuer, audience: 'demo' });

function claims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: server.config.issuer,
    aud: 'demo',
    iat: now,
    exp: now + 120,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    sub: 'user-1',
    sid: 'sid-of-that-browser',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...overrides,
  };
}

/** Signed with qrlogin's own key, as its logout tokens are. */
function signed(payload: JWTPayload, typ: string | null = 'logout+jwt'): Promise<string> {
  const key = server.app.keys.current;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ === null ? {} : { typ }) }).sign(key.privateKey);
}

function without(name: string): JWTPayload {
  return Object.fromEntries(Object.entries(claims()).filter(([key]) => key !== name));
}

async function refusal(token: string, opts: VerifyLogoutTokenOptions = options()): Promise<QrLoginTokenError> {
  const outcome: unknown = await verifyLogoutToken(token, opts).then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(QrLoginTokenError);
  const error = outcome as QrLoginTokenError;
  if (token) {
    expect(error.message).not.toContain(token);
    expect(String(error.stack)).not.toContain(token.split('.')[1]);
  }
  return error;
}

test('a logout token signed with qrlogin’s key verifies through the discovery document, typ logout+jwt or none', async () => {
  const payload = claims();
  await expect(verifyLogoutToken(await signed(payload), options())).resolves.toEqual(payload);
  const untyped = await verifyLogoutToken(await signed(claims({ sid: 'another-sid' }), null), options());
  expect(untyped.sid).toBe('another-sid');
  // An array audience that names the app, and sub alone.
  const subOnly = await verifyLogoutToken(await signed({ ...without('sid'), aud: ['other', 'demo'] }), options());
  expect(subOnly).toMatchObject({ sub: 'user-1', aud: ['other', 'demo'] });
  expect(subOnly.sid).toBeUndefined();
});

test('wrong audience or issuer: invalid', async () => {
  const token = await signed(claims({ aud: 'shop' }));
  expect((await refusal(token)).code).toBe('invalid');
  expect((await refusal(await signed(claims()), { ...options(), audience: 'shop' })).code).toBe('invalid');
  expect((await refusal(await signed(claims({ iss: 'https://elsewhere.example' })))).code).toBe('invalid');
});

test.each([
  ['a nonce', () => claims({ nonce: 'n-123' }), /nonce/],
  ['no events', () => without('events'), /no events claim/],
  ['events without the back-channel member', () => claims({ events: { 'urn:other': {} } }), /no events claim/],
  ['neither sid nor sub', () => ({ ...without('sid'), sub: undefined }), /neither sid nor sub/],
  ['no jti', () => without('jti'), /"jti"/],
  ['no iat', () => without('iat'), /"iat"/],
  ['no exp (required by §2.4)', () => without('exp'), /"exp"/],
])('%s: invalid, saying why', async (_name, payload, why) => {
  const error = await refusal(await signed(payload()));
  expect(error.code).toBe('invalid');
  expect(error.message).toMatch(why);
});

test('an ID token in place of a logout token is refused (typ JWT, no events), and so is the phone’s user token', async () => {
  const idToken = server.app.tokens.signIdToken({ id: 'u1', username: 'x', nickname: 'X', photo: null, email: null, phone: null }, 'demo');
  const error = await refusal(idToken.token);
  expect(error.code).toBe('invalid');
  // Even relabelled logout+jwt, an ID token's claims have no events.
  const { events: _none, ...idLike } = claims({ amr: ['qr'], nickname: 'X' });
  expect((await refusal(await signed(idLike))).message).toMatch(/no events claim/);
  const phone = await registerUser(api(server.url), 'Phone');
  expect((await refusal(phone.token, { ...options(), audience: 'qrlogin:user' })).code).toBe('invalid');
});

test('an expired logout token is expired', async () => {
  const past = Math.floor(Date.now() / 1000) - 600;
  expect((await refusal(await signed(claims({ iat: past, exp: past + 120 })))).code).toBe('expired');
});

test('a token of another key is invalid, even from a JWKS that serves that key for the same issuer name', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'foreign', alg: 'ES256', use: 'sig' };
  const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  jwks.listen(0, '127.0.0.1');
  await once(jwks, 'listening');
  try {
    const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'foreign', typ: 'logout+jwt' }).sign(privateKey);
    // Against qrlogin's keys: refused.
    expect((await refusal(forged)).code).toBe('invalid');
    // The foreign key set accepts its own token — the check is the key set's, not the kid's name.
    await expect(verifyLogoutToken(forged, { ...options(), jwksUri })).resolves.toMatchObject({ sid: 'sid-of-that-browser' });
    // And qrlogin's genuine token does not verify against the foreign set.
    expect((await refusal(await signed(claims()), { ...options(), jwksUri })).code).toBe('invalid');
  } finally {
    jwks.closeAllConnections();
    await new Promise((resolve) => jwks.close(resolve));
  }
});

test('keys out of reach: unreachable (answer 5xx so qrlogin retries); no token at all: invalid', async () => {
  const port = await freePort();
  const token = await signed(claims());
  const error = await refusal(token, { issuer: `http://127.0.0.1:${port}`, audience: 'demo' });
  expect(error.code).toBe('unreachable');
  expect((await refusal('')).code).toBe('invalid');
  await expect(verifyLogoutToken(token, { issuer: server.config.issuer, audience: '' })).rejects.toThrow(TypeError);
});
