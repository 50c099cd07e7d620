/**
 * The company's identity provider rotating its keys, stopped, misconfigured or hanging: qrlogin
 * answers 2020 or 503 with `Retry-After`, never a 500 and never a hang, and keeps working from
 * the keys it has while the provider is away. qrlogin runs on a movable clock (its key cache,
 * refetch throttle and answer cache read it), the provider on real time.
 */
import { once } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { SignJWT } from 'jose';
import { createExternalVerifier } from '../../server/auth/external';
import { AppError } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { API } from '../../shared/http';
import { type Api, api } from '../helpers/api';
import { bearer } from '../helpers/flow';
import { type SigningKeys, type TestIdp, signingKeys, startIdp } from '../helpers/idp/index';
import { SHOP_API, idpEnv } from '../helpers/idp/login';
import { type TestServer, startServer } from '../helpers/server';
import { type MovableClock, movableClock } from '../helpers/time';

let idp: TestIdp;
let server: TestServer;
let http: Api;
let clock: MovableClock;

/** A token of the provider's issuer (or `iss`) signed here with the EC key of `keys` (the provider's, or others). */
const forge = (keys: SigningKeys, header: { kid?: string } = {}, iss = idp.issuer) =>
  new SignJWT({ sub: 'alice-1001', name: 'Alice Example' })
    .setProtectedHeader({ alg: 'ES256', kid: keys.ec.kid, ...header })
    .setIssuer(iss)
    .setAudience(SHOP_API)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(keys.ec.privateKey);

/** `me` with `token`: the envelope code and the Retry-After header. */
async function me(token: string): Promise<[number, string | null]> {
  const response = await http.get(API.me, bearer(token));
  expect(response.status).toBe(200);
  return [response.body.code, response.headers.get('retry-after')];
}

describe('qrlogin, with a provider that rotates its keys, stops and comes back', () => {
  beforeEach(async () => {
    idp = await startIdp(signingKeys('first'));
    clock = movableClock();
    server = await startServer({ env: idpEnv(idp), deps: { now: clock.now } });
    http = api(server.url);
  });
  afterEach(async () => {
    await server?.close();
    await idp?.stop();
  });

  test('a key rotation: a new key’s token is 503 with Retry-After until the keys may be fetched again (30 s), then accepted; the old key’s tokens end with it', async () => {
    const old = await idp.mint('alice-1001', { resource: SHOP_API });
    expect(await me(old)).toEqual([200, null]);

    await idp.start(signingKeys('second'));
    const rotated = await idp.mint('alice-1001', { resource: SHOP_API });
    // The keys were fetched a moment ago: the unknown kid cannot be looked up yet, and the
    // token is not refused for it (an app would sign its user in again for nothing).
    expect(await me(rotated)).toEqual([503, '30']);
    clock.advance(12_500);
    expect(await me(rotated)).toEqual([503, '18']);
    clock.advance(17_500);
    expect(await me(rotated)).toEqual([200, null]);
    // The first key is gone from the provider's set, and with it every token it signed.
    expect(await me(old)).toEqual([2020, null]);
  });

  test('a kid the provider never served: 503 until keys fetched after it was first asked for lack it, then 2020 without fetching again', async () => {
    expect(await me(await idp.mint('alice-1001', { resource: SHOP_API }))).toEqual([200, null]);
    const fetched = await idp.requests('/jwks');
    const stranger = await forge(signingKeys('stranger'));
    expect(await me(stranger)).toEqual([503, '30']);
    clock.advance(29_500);
    expect(await me(stranger)).toEqual([503, '1']);
    expect(await idp.requests('/jwks')).toBe(fetched);
    clock.advance(500);
    expect(await me(stranger)).toEqual([2020, null]);
    expect(await idp.requests('/jwks')).toBe(fetched + 1);
    // Looked up once: refused from now on, the provider not asked again for it.
    expect(await me(stranger)).toEqual([2020, null]);
    // A kid the provider serves, in a token of another algorithm: refused at once, during the cooldown too.
    expect(await me(await forge(idp.keys, { kid: idp.keys.rsa.kid }))).toEqual([2020, null]);
    clock.advance(45_000);
    expect(await me(stranger)).toEqual([2020, null]);
    expect(await idp.requests('/jwks')).toBe(fetched + 1);
  });

  test('the provider stopped: tokens of the keys at hand keep working, even when the keys are old', async () => {
    expect(await me(await idp.mint('alice-1001', { resource: SHOP_API }))).toEqual([200, null]);
    await idp.stop();
    expect(await me(await forge(idp.keys))).toEqual([200, null]);
    // Past the keys' maximum age (10 min) a refetch is due; it fails, and the last keys still serve.
    clock.advance(11 * 60_000);
    expect(await me(await forge(idp.keys))).toEqual([200, null]);
    expect(server.logs.some((line) => line.includes('the keys of USER_TOKEN_ISSUER could not be fetched'))).toBe(true);
  });

  test('the provider stopped: an unknown kid is 503 with Retry-After (the cooldown’s, then the failed fetch’s); back again, it is decided', async () => {
    expect(await me(await idp.mint('alice-1001', { resource: SHOP_API }))).toEqual([200, null]);
    await idp.stop();
    const stranger = await forge(signingKeys('stranger'));
    expect(await me(stranger)).toEqual([503, '30']);
    clock.advance(30_000);
    expect(await me(stranger)).toEqual([503, '5']);
    // Within the 5 s after a failed fetch the provider is not asked again: still 503, at once.
    expect(await me(stranger)).toEqual([503, '5']);

    const next = signingKeys('next');
    await idp.start(next);
    clock.advance(5_000);
    expect(await me(stranger)).toEqual([2020, null]);
    clock.advance(30_000);
    expect(await me(await forge(next))).toEqual([200, null]);
  });

  test('introspection unreachable: an opaque token is 503 with Retry-After; an answer already given still serves', async () => {
    const known = await idp.mint('bob-2002');
    expect(await me(known)).toEqual([200, null]);
    const unknown = await idp.mint('bob-2002');
    await idp.stop();
    expect(await me(unknown)).toEqual([503, '5']);
    expect((await http.post(API.logout, {}, bearer(unknown))).body.code).toBe(503);
    expect(await me(known)).toEqual([200, null]);
    expect(server.logs.some((line) => line.includes('the introspection endpoint could not be reached'))).toBe(true);
  });

  test('wrong introspection credentials: 503 with Retry-After, and an error logged once, without the secret or the token', async () => {
    const misconfigured = await startServer({
      env: { ...idpEnv(idp), USER_TOKEN_INTROSPECTION_CLIENT_SECRET: 'not-the-secret-9f8e7d6c5b4a' },
    });
    try {
      const token = await idp.mint('bob-2002');
      for (let i = 0; i < 3; i += 1) {
        const response = await api(misconfigured.url).get(API.me, bearer(token));
        expect([response.body.code, response.headers.get('retry-after')]).toEqual([503, '5']);
      }
      const errors = misconfigured.logs.filter((line) => line.includes('"level":"error"'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/refused our client credentials: check the client id and secret \(USER_TOKEN_INTROSPECTION_\*\)/);
      expect(misconfigured.logs.join('\n')).not.toMatch(/not-the-secret|9f8e7d6c5b4a/);
      expect(misconfigured.logs.join('\n')).not.toContain(token);
    } finally {
      await misconfigured.close();
    }
  });
});

describe('the verifier itself, with short deadlines', () => {
  let hanging: Server;
  let hangingUrl: string;
  const held = new Set<Socket>();

  beforeAll(async () => {
    idp = await startIdp(signingKeys('verifier'));
    // Accepts connections and never answers.
    hanging = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const address = hanging.address();
    hangingUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => hanging.close(resolve));
    await idp?.stop();
  });

  const logs: string[] = [];
  const verifier = (config: Parameters<typeof createExternalVerifier>[0]) =>
    createExternalVerifier(config, {
      now: Date.now,
      logger: createLogger('debug', (line) => logs.push(line)),
      timings: { requestTimeoutMs: 300 },
    });
  const base = { jwksUrl: null, audience: SHOP_API, algorithms: ['ES256'] as const, introspection: null };

  const outcome = async (promise: Promise<unknown>) => {
    const started = Date.now();
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    return {
      code: error instanceof AppError ? error.code : error,
      retryAfter: error instanceof AppError ? error.retryAfter : undefined,
      ms: Date.now() - started,
    };
  };

  test('a provider that never answers its discovery document: UNAVAILABLE within the deadline', async () => {
    const external = verifier({ ...base, issuer: hangingUrl });
    const token = await forge(idp.keys, { kid: 'k' }, hangingUrl);
    const result = await outcome(external.verify(token));
    expect(result).toMatchObject({ code: 503, retryAfter: 5 });
    expect(result.ms).toBeLessThan(2_000);
    external.close();
  });

  test('a USER_TOKEN_JWKS_URL that never answers: UNAVAILABLE within the deadline', async () => {
    const external = verifier({ ...base, issuer: idp.issuer, jwksUrl: `${hangingUrl}/jwks` });
    const token = await forge(idp.keys);
    const result = await outcome(external.verify(token));
    expect(result).toMatchObject({ code: 503, retryAfter: 5 });
    expect(result.ms).toBeLessThan(2_000);
    // Nothing was asked of the issuer itself (no discovery with a JWKS URL given).
    expect(await idp.requests('/.well-known/openid-configuration')).toBe(0);
    external.close();
  });

  test('a first token of a kid the keys fetched for it lack: refused, not 503 (the lookup was made)', async () => {
    const external = verifier({ ...base, issuer: idp.issuer });
    const token = await forge(signingKeys('stranger'), { kid: 'stranger-ec' });
    expect(await outcome(external.verify(token))).toMatchObject({ code: 2020, retryAfter: undefined });
    external.close();
  });

  test('an introspection endpoint that never answers: UNAVAILABLE within the deadline', async () => {
    const external = verifier({
      ...base,
      issuer: null,
      introspection: { url: `${hangingUrl}/introspect`, clientId: 'qrlogin', clientSecret: 's' },
    });
    const result = await outcome(external.verify('ZCnEnlwZ6_VFAbBVn5ZDlCOpT38zcS2SdvUzFcdlxgZ'));
    expect(result).toMatchObject({ code: 503, retryAfter: 5 });
    expect(result.ms).toBeLessThan(2_000);
    external.close();
  });

  test('a discovery document naming another issuer: UNAVAILABLE, and an error says so', async () => {
    const external = verifier({ ...base, issuer: `${idp.issuer}/` });
    const token = await forge(idp.keys, {}, `${idp.issuer}/`);
    expect(await outcome(external.verify(token))).toMatchObject({ code: 503, retryAfter: 5 });
    expect(logs.some((line) => line.includes('names another issuer'))).toBe(true);
    external.close();
  });
});
