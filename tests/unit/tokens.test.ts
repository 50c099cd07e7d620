/**
 * ID tokens and user tokens (server/auth/tokens.ts). ID tokens are checked with an independent
 * library (jose) through the published JWKS; user tokens must resist expiry, foreign keys,
 * token confusion, `alg: none` and HS256/public-key confusion, and never echo the token in an
 * error. Signing keys and rotation: keys.test.ts; remembered verifications:
 * verified-tokens.test.ts.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { generateSigningKey, signingKeyFromPem } from '../../server/auth/keys';
import { USER_TOKEN_AUDIENCE, USER_TOKEN_TYPE } from '../../server/auth/tokens';
import {
  ID_TTL,
  ISSUER,
  START,
  USER,
  USER_TTL,
  type Harness,
  b64url,
  harness,
  nowSeconds,
  refusal,
  signWith,
  userClaims,
} from '../helpers/token-harness';

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
    await expect(jwtVerify(token, jwks, { ...opts, audience: 'other', currentDate: new Date(START) })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    await expect(jwtVerify(token, jwks, { ...opts, issuer: 'https://evil.example', currentDate: new Date(START) })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
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

  it('refuses alg: none with our kid and an empty signature', async () => {
    const header = { alg: 'none', typ: USER_TOKEN_TYPE, kid: h.key.kid };
    const token = `${b64url(header)}.${b64url(userClaims(h))}.`;
    await refusal(h.service, token);
    await refusal(h.service, `${b64url({ ...header, alg: 'NONE' })}.${b64url(userClaims(h))}.`);
  });

  it('refuses HS256 signed with the public key PEM as HMAC secret (alg confusion)', async () => {
    const header = { alg: 'HS256', typ: USER_TOKEN_TYPE, kid: h.key.kid };
    const input = `${b64url(header)}.${b64url(userClaims(h))}`;
    for (const secret of [h.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(), JSON.stringify(h.key.jwk)]) {
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
