/**
 * Signing keys (server/auth/keys.ts): ES256 and RS256 keys named by their RFC 7638
 * thumbprint, the keys refused, and rotation (the key set lists the old key beside the current
 * one, so tokens it signed still verify).
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createKeySet, generateSigningKey, signingKeyFromPem } from '../../server/auth/keys';
import { ISSUER, START, USER, harness, refusal } from '../helpers/token-harness';

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
