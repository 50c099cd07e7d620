/**
 * The OpenID Connect provider signs with qrlogin's own key (one issuer, one JWKS), and its
 * cookie keys are derived from that key: the same on every instance sharing it, different for
 * another key, and not the key itself.
 */
import { SignJWT, importJWK, jwtVerify } from 'jose';
import { generateSigningKey } from '../../server/auth/keys';
import { cookieKeysOf, privateJwkOf } from '../../server/oidc/keys';

test('the private JWK signs what the published public key verifies, under the same kid', async () => {
  const { key } = generateSigningKey();
  const jwk = privateJwkOf(key);
  expect(jwk).toMatchObject({ kid: key.kid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
  expect(jwk.d).toEqual(expect.any(String));
  const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).sign(await importJWK(jwk, 'ES256'));
  const { payload, protectedHeader } = await jwtVerify(token, key.publicKey);
  expect(payload.sub).toBe('alice');
  expect(protectedHeader.kid).toBe(key.jwk.kid);
});

test('cookie keys: one per signing key, the same from the same key, never the key material', () => {
  const { key, pem } = generateSigningKey();
  const again = generateSigningKey();
  const keys = cookieKeysOf(key);
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(cookieKeysOf(key)).toEqual(keys);
  expect(cookieKeysOf(again.key)).not.toEqual(keys);
  const d = privateJwkOf(key).d ?? '';
  expect(pem).not.toContain(keys[0]);
  expect(keys[0]).not.toBe(d);
});
