/**
 * ID tokens and user tokens (server/auth/tokens.ts) with the signing keys of server/auth/keys.ts.
 * ID tokens are checked with an independent library (jose) through the published JWKS; user
 * tokens must resist expiry, foreign keys, token confusion, `alg: none` and HS256/public-key
 * confusion, and never echo the token in an error.
 */
import { createHash, createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import {
  createKeySet,
  generateSigningKey,
  signingKeyFromPem,
  type KeySet,
  type SigningKey,
} from '../../server/auth/keys';
import {
  USER_TOKEN_AUDIENCE,
  USER_TOKEN_TYPE,
  createTokenService,
  type IdTokenSubject,
  type TokenService,
} from '../../server/auth/tokens';
import { VerifiedTokens } from '../../server/auth/verified-tokens';
import { AppError } from '../../server/errors';

const ISSUER = 'https://login.example.com';
const ID_TTL = 3600;
const USER_TTL = 600;
const START = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

const USER: IdTokenSubject = {
  id: 'user-0001',
  username: 'alice',
  nickname: 'Alice',
  photo: 'https://example.com/alice.png',
  email: 'alice@example.com',
  phone: null,
};

interface Harness {
  clock: { t: number };
  key: SigningKey;
  keys: KeySet;
  service: TokenService;
}

function harness(key: SigningKey = generateSigningKey().key, keys: KeySet = createKeySet(key), issuer = ISSUER): Harness {
  const clock = { t: START };
  const service = createTokenService({
    issuer,
    keys,
    idTokenTtlSeconds: ID_TTL,
    userTokenTtlSeconds: USER_TTL,
    now: () => clock.t,
  });
  return { clock, key, keys, service };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const nowSeconds = (h: Harness) => Math.floor(h.clock.t / 1000);

/** User-token claims that would be valid for `h` right now. */
function userClaims(h: Harness, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds(h);
  return { sub: USER.id, aud: USER_TOKEN_AUDIENCE, iss: ISSUER, iat, exp: iat + USER_TTL, jti: 'j1', ...overrides };
}

/** Signs `claims` with `key` and an arbitrary header (default: a proper user-token header). */
function signWith(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return jwt.sign(claims, key.privateKey, {
    algorithm: key.alg,
    header: { alg: key.alg, typ: USER_TOKEN_TYPE, kid: key.kid, ...header },
  });
}

/** Runs `verifyUserToken` and returns the AppError it must throw. */
async function refusal(service: TokenService, token: string): Promise<AppError> {
  let thrown: unknown;
  try {
    const { sub } = await service.verifyUserToken(token);
    thrown = new Error(`accepted, sub=${sub}`);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  const error = thrown as AppError;
  expect(error.code).toBe(2020);
  expect(error.key).toBe('NOT_LOGGED_IN');
  expect(error.detail).toBeUndefined();
  if (token.length > 0) {
    expect(error.message).not.toContain(token);
    expect(error.toPayload().message).not.toContain(token);
    expect(error.toPayload('zh-CN').message).not.toContain(token);
    // Nor any of its parts (a signature or payload could be logged on its own).
    for (const part of token.split('.').filter((p) => p.length >= 8)) {
      expect(error.message).not.toContain(part);
    }
  }
  return error;
}

describe('ID tokens, verified with jose through the JWKS', () => {
  it('carry the contract claims and header', async () => {
    const h = harness();
    const { token, expiresAt } = h.service.signIdToken(USER, 'demo');
    const iat = nowSeconds(h);
    const jwks = createLocalJWKSet(h.keys.jwks());
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: ISSUER,
      audience: 'demo',
      algorithms: ['ES256'],
      currentDate: new Date(h.clock.t),
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: h.key.kid });
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: USER.id,
      aud: 'demo',
      iat,
      exp: iat + ID_TTL,
      amr: ['qr'],
      name: 'Alice',
      nickname: 'Alice',
      preferred_username: 'alice',
      picture: USER.photo,
      email: USER.email,
    });
    expect(payload).not.toHaveProperty('phone_number');
    expect(typeof payload.jti).toBe('string');
    expect((payload.jti ?? '').length).toBeGreaterThanOrEqual(16);
    expect(expiresAt).toBe((iat + ID_TTL) * 1000);
  });

  it('jti is unique per token', () => {
    const h = harness();
    const a = jwt.decode(h.service.signIdToken(USER, 'demo').token, { json: true });
    const b = jwt.decode(h.service.signIdToken(USER, 'demo').token, { json: true });
    expect(a?.jti).toEqual(expect.any(String));
    expect(b?.jti).toEqual(expect.any(String));
    expect(a?.jti).not.toBe(b?.jti);
  });

  it('iat follows the injected clock, not the wall clock', () => {
    const h = harness();
    h.clock.t = Date.UTC(2031, 5, 6, 7, 8, 9, 999);
    const payload = jwt.decode(h.service.signIdToken(USER, 'shop').token, { json: true });
    expect(payload?.iat).toBe(Math.floor(h.clock.t / 1000));
    expect(payload?.aud).toBe('shop');
  });

  it('jose refuses it after exp, for another audience or another issuer', async () => {
    const h = harness();
    const { token } = h.service.signIdToken(USER, 'demo');
    const jwks = createLocalJWKSet(h.keys.jwks());
    const opts = { issuer: ISSUER, audience: 'demo', algorithms: ['ES256'] };
    const expired = new Date(START + ID_TTL * 1000 + 1000);
    await expect(jwtVerify(token, jwks, { ...opts, currentDate: expired })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
    await expect(
      jwtVerify(token, jwks, { ...opts, audience: 'other', currentDate: new Date(START) }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    await expect(
      jwtVerify(token, jwks, { ...opts, issuer: 'https://evil.example', currentDate: new Date(START) }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  it('RS256 keys sign verifiable ID tokens too', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = signingKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const h = harness(key);
    const { token } = h.service.signIdToken(USER, 'demo');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: key.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(h.keys.jwks()), {
      issuer: ISSUER,
      audience: 'demo',
      algorithms: ['RS256'],
      currentDate: new Date(START),
    });
    expect(payload.sub).toBe(USER.id);
    await expect(h.service.verifyUserToken(h.service.signUserToken('u-rsa').token)).resolves.toMatchObject({ sub: 'u-rsa' });
  });
});

describe('verifyUserToken', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it('accepts a fresh user token and returns its subject, jti and expiry', async () => {
    const { token, expiresAt } = h.service.signUserToken('user-42');
    const jti = jwt.decode(token, { json: true })?.jti;
    expect(jti).toEqual(expect.any(String));
    await expect(h.service.verifyUserToken(token)).resolves.toEqual({ sub: 'user-42', jti, expiresAt });
    expect(expiresAt).toBe((nowSeconds(h) + USER_TTL) * 1000);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: USER_TOKEN_TYPE, kid: h.key.kid });
    expect(jwt.decode(token, { json: true })).toMatchObject({ sub: 'user-42', aud: USER_TOKEN_AUDIENCE, iss: ISSUER });
  });

  it('accepts a token until one second before exp, and refuses it from exp on', async () => {
    const { token } = h.service.signUserToken('user-42');
    const exp = (nowSeconds(h) + USER_TTL) * 1000;
    h.clock.t = exp - 1000;
    await expect(h.service.verifyUserToken(token)).resolves.toMatchObject({ sub: 'user-42' });
    h.clock.t = exp;
    await refusal(h.service, token);
    h.clock.t = START + USER_TTL * 1000 * 10;
    await refusal(h.service, token);
  });

  it("refuses a token of another deployment's key set", async () => {
    const foreign = harness();
    const { token } = foreign.service.signUserToken('user-42');
    await expect(foreign.service.verifyUserToken(token)).resolves.toMatchObject({ sub: 'user-42' });
    await refusal(h.service, token);
  });

  it('refuses a token signed by another key that claims our kid', async () => {
    const other = generateSigningKey().key;
    const forged = signWith(other, userClaims(h), { kid: h.key.kid });
    expect(decodeProtectedHeader(forged).kid).toBe(h.key.kid);
    await refusal(h.service, forged);
  });

  it('refuses an ID token (token confusion: typ JWT, aud = app id)', async () => {
    const { token } = h.service.signIdToken(USER, 'demo');
    await refusal(h.service, token);
  });

  it('refuses an ID token even if the app id were the user audience (typ still differs)', async () => {
    const { token } = h.service.signIdToken(USER, USER_TOKEN_AUDIENCE);
    await refusal(h.service, token);
  });

  it('refuses a user-typed token whose audience is an app (aud pinned)', async () => {
    await refusal(h.service, signWith(h.key, userClaims(h, { aud: 'demo' })));
  });

  it('refuses a token without typ or with another typ', async () => {
    await refusal(h.service, signWith(h.key, userClaims(h), { typ: 'JWT' }));
    await refusal(h.service, signWith(h.key, userClaims(h), { typ: undefined }));
  });

  it('refuses a token without kid', async () => {
    const token = jwt.sign(userClaims(h), h.key.privateKey, {
      algorithm: 'ES256',
      header: { alg: 'ES256', typ: USER_TOKEN_TYPE },
    });
    await refusal(h.service, token);
  });

  it('the crafted tokens below are otherwise valid (control)', async () => {
    await expect(h.service.verifyUserToken(signWith(h.key, userClaims(h)))).resolves.toMatchObject({ sub: USER.id });
  });

  it("refuses alg: none with our kid and an empty signature", async () => {
    const header = { alg: 'none', typ: USER_TOKEN_TYPE, kid: h.key.kid };
    const token = `${b64url(header)}.${b64url(userClaims(h))}.`;
    await refusal(h.service, token);
    await refusal(h.service, `${b64url({ ...header, alg: 'NONE' })}.${b64url(userClaims(h))}.`);
  });

  it('refuses HS256 signed with the public key PEM as HMAC secret (alg confusion)', async () => {
    const header = { alg: 'HS256', typ: USER_TOKEN_TYPE, kid: h.key.kid };
    const input = `${b64url(header)}.${b64url(userClaims(h))}`;
    for (const secret of [
      h.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      JSON.stringify(h.key.jwk),
    ]) {
      const signature = createHmac('sha256', secret).update(input).digest('base64url');
      await refusal(h.service, `${input}.${signature}`);
    }
  });

  it('refuses a token from another issuer', async () => {
    await refusal(h.service, signWith(h.key, userClaims(h, { iss: 'https://evil.example' })));
    await refusal(h.service, signWith(h.key, userClaims(h, { iss: `${ISSUER}/` })));
    const elsewhere = harness(h.key, h.keys, 'https://other-deployment.example');
    await refusal(h.service, elsewhere.service.signUserToken('user-42').token);
  });

  it('refuses a token without a string subject', async () => {
    const { sub: _omit, ...noSub } = userClaims(h);
    await refusal(h.service, signWith(h.key, noSub));
    await refusal(h.service, signWith(h.key, userClaims(h, { sub: 42 })));
  });

  it('refuses a token without a non-empty string jti (it could never be revoked)', async () => {
    const { jti: _omit, ...noJti } = userClaims(h);
    await refusal(h.service, signWith(h.key, noJti));
    await refusal(h.service, signWith(h.key, userClaims(h, { jti: 42 })));
    await refusal(h.service, signWith(h.key, userClaims(h, { jti: '' })));
    await refusal(h.service, signWith(h.key, userClaims(h, { jti: ['j1'] })));
  });

  it('each user token has its own jti', async () => {
    const a = await h.service.verifyUserToken(h.service.signUserToken('user-42').token);
    const b = await h.service.verifyUserToken(h.service.signUserToken('user-42').token);
    expect(a.sub).toBe(b.sub);
    expect(a.jti).not.toBe(b.jti);
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const { token } = h.service.signUserToken('user-42');
    const [header, , signature] = token.split('.');
    const altered = `${header}.${b64url(userClaims(h, { sub: 'admin' }))}.${signature}`;
    await refusal(h.service, altered);
  });

  it.each([
    ['empty', ''],
    ['a word', 'garbage'],
    ['three dots', '...'],
    ['three junk parts', 'a.b.c'],
    ['a Bearer prefix', 'Bearer abc.def.ghi'],
    ['JSON', '{"sub":"user-42"}'],
    ['base64 junk', `${b64url({ alg: 'ES256' })}.${'%%%'}.${'x'.repeat(40)}`],
    ['a long string', 'x'.repeat(10_000)],
  ])('refuses garbage: %s', async (_name, token) => {
    await refusal(h.service, token);
  });

  it('refuses a valid token with the Bearer prefix left on', async () => {
    const { token } = h.service.signUserToken('user-42');
    await refusal(h.service, `Bearer ${token}`);
  });
});

describe('signing keys', () => {
  it('a generated key is P-256 / ES256 with its RFC 7638 thumbprint as kid and no private members', async () => {
    const { key, pem } = generateSigningKey();
    expect(key.alg).toBe('ES256');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const jwk = createPublicKey(pem).export({ format: 'jwk' });
    const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
    expect(key.kid).toBe(createHash('sha256').update(canonical).digest('base64url'));
    expect(key.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }));
    expect(Object.keys(key.jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(key.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid });
    // Loading the same PEM again names the key the same way (instances agree on kid).
    expect(signingKeyFromPem(pem).kid).toBe(key.kid);
  });

  it('RSA 2048 gives RS256 and kid = RFC 7638 thumbprint, from PKCS#8 and PKCS#1 PEM', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    // Required members in lexicographic order, no whitespace (RFC 7638 §3.2).
    const canonical = `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`;
    const expectedKid = createHash('sha256').update(canonical, 'utf8').digest('base64url');
    expect(expectedKid).toBe(await calculateJwkThumbprint({ kty: 'RSA', e: jwk.e, n: jwk.n }));

    for (const pem of [pkcs8, pkcs1]) {
      const key = signingKeyFromPem(pem);
      expect(key.alg).toBe('RS256');
      expect(key.kid).toBe(expectedKid);
      expect(Object.keys(key.jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key.jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', n: jwk.n, e: jwk.e });
    }
  });

  it('refuses P-384, RSA < 2048 and Ed25519 keys', () => {
    const pemOf = (k: { export(o: { format: 'pem'; type: 'pkcs8' }): string | Buffer }) =>
      k.export({ format: 'pem', type: 'pkcs8' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(() => signingKeyFromPem(pemOf(p384))).toThrow(/P-256/);
    expect(() => signingKeyFromPem(pemOf(rsa1024))).toThrow(/2048/);
    expect(() => signingKeyFromPem(pemOf(ed))).toThrow(/P-256/);
  });

  it('refuses a public key or junk as the private key', () => {
    const { key } = generateSigningKey();
    expect(() => signingKeyFromPem(key.publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow();
    expect(() => signingKeyFromPem('not a pem')).toThrow();
  });
});

describe('key rotation', () => {
  it('jwks() lists the current key then the old one, and de-duplicates', () => {
    const current = generateSigningKey().key;
    const old = generateSigningKey().key;
    const keys = createKeySet(current, [old, current]);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([current.kid, old.kid]);
    expect(keys.current).toBe(current);
    expect(keys.verificationKey(old.kid)).toEqual({ publicKey: old.publicKey, alg: 'ES256' });
    expect(keys.verificationKey('unknown')).toBeUndefined();
  });

  it('a token signed by the old key still verifies; new tokens use the current key', async () => {
    const old = harness();
    const oldUserToken = old.service.signUserToken('user-old').token;
    const oldIdToken = old.service.signIdToken(USER, 'demo').token;

    const current = generateSigningKey().key;
    const rotated = harness(current, createKeySet(current, [old.key]));
    await expect(rotated.service.verifyUserToken(oldUserToken)).resolves.toMatchObject({ sub: 'user-old' });
    await expect(
      jwtVerify(oldIdToken, createLocalJWKSet(rotated.keys.jwks()), {
        issuer: ISSUER,
        audience: 'demo',
        currentDate: new Date(START),
      }),
    ).resolves.toMatchObject({ payload: { sub: USER.id } });

    const fresh = rotated.service.signUserToken('user-new').token;
    expect(decodeProtectedHeader(fresh).kid).toBe(current.kid);
    await expect(rotated.service.verifyUserToken(fresh)).resolves.toMatchObject({ sub: 'user-new' });
    // Without the old key in the set, the old token is refused.
    await refusal(harness(current).service, oldUserToken);
  });
});

describe('verified user tokens are remembered (server/auth/verified-tokens.ts)', () => {
  /** A key set whose keys can be dropped, counting the lookups that come before a signature check. */
  function droppable(key: SigningKey) {
    const inner = createKeySet(key);
    const state = { dropped: false, resolves: 0 };
    const keys: KeySet = {
      current: key,
      jwks: () => inner.jwks(),
      verificationKey: (kid) => (state.dropped ? undefined : inner.verificationKey(kid)),
      resolve: async (kid) => {
        state.resolves += 1;
        return state.dropped ? undefined : inner.verificationKey(kid);
      },
    };
    return { keys, state };
  }

  it('a token that verified is accepted again without another signature check', async () => {
    const key = generateSigningKey().key;
    const { keys, state } = droppable(key);
    const h = harness(key, keys);
    const { token, expiresAt } = h.service.signUserToken('user-7');
    const first = await h.service.verifyUserToken(token);
    expect(first).toEqual({ sub: 'user-7', jti: jwt.decode(token, { json: true })?.jti, expiresAt });
    // The remembered answer carries the jti and expiry too (a logout needs both).
    await expect(h.service.verifyUserToken(token)).resolves.toEqual(first);
    await expect(h.service.verifyUserToken(token)).resolves.toEqual(first);
    expect(state.resolves).toBe(1);
  });

  it('is refused at once when the key that verified it leaves the key set', async () => {
    const key = generateSigningKey().key;
    const { keys, state } = droppable(key);
    const h = harness(key, keys);
    const { token } = h.service.signUserToken('user-7');
    await expect(h.service.verifyUserToken(token)).resolves.toMatchObject({ sub: 'user-7' });
    state.dropped = true;
    await refusal(h.service, token);
  });

  it('is refused from exp on, remembered or not', async () => {
    const h = harness();
    const { token } = h.service.signUserToken('user-7');
    await expect(h.service.verifyUserToken(token)).resolves.toMatchObject({ sub: 'user-7' });
    h.clock.t += USER_TTL * 1000;
    await refusal(h.service, token);
  });

  it('a refused token is not remembered: every attempt is checked again', async () => {
    const key = generateSigningKey().key;
    const { keys, state } = droppable(key);
    const h = harness(key, keys);
    const [head, payload] = h.service.signUserToken('user-7').token.split('.');
    const forged = `${head}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    await refusal(h.service, forged);
    await refusal(h.service, forged);
    expect(state.resolves).toBe(2);
  });

  it('holds at most its bound, forgetting the oldest first', () => {
    const memory = new VerifiedTokens(2);
    const entryKey = { publicKey: createPublicKey(generateSigningKey().pem), alg: 'ES256' as const };
    const current = () => entryKey;
    for (const token of ['a', 'b', 'c']) {
      memory.remember(token, { sub: token, jti: `jti-${token}`, kid: 'k', key: entryKey, expiresAt: START + 1000 });
    }
    expect(memory.size).toBe(2);
    expect(memory.get('a', START, current)).toBeUndefined();
    expect(memory.get('b', START, current)).toEqual({ sub: 'b', jti: 'jti-b', expiresAt: START + 1000 });
    expect(memory.get('c', START, current)).toEqual({ sub: 'c', jti: 'jti-c', expiresAt: START + 1000 });
  });
});
