/**
 * @module
 * What oidc-provider needs of qrlogin's key set: the signing key as a private JWK (one issuer,
 * one JWKS: the provider signs ID tokens with the same key as `/api/v2/qrcode/userinfo`), and
 * the keys that sign its cookies, derived from that private key (HKDF) so that every instance
 * sharing the signing key signs and accepts the same cookies, with no extra setting.
 */
import { hkdfSync } from 'node:crypto';
import type { SigningKey } from '../auth/keys';

/** A private JWK as oidc-provider's `jwks` takes it. */
export interface PrivateJwk {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  [member: string]: string;
}

/** The signing key with its private members, for oidc-provider's `jwks.keys`. */
export function privateJwkOf(key: SigningKey): PrivateJwk {
  const exported = key.privateKey.export({ format: 'jwk' }) as Record<string, string>;
  return { ...exported, kty: exported.kty ?? key.jwk.kty, kid: key.kid, alg: key.alg, use: 'sig' };
}

/**
 * Cookie keys (oidc-provider's `cookies.keys`): 32 bytes from HKDF-SHA256 over the private key,
 * base64url. Not the key itself, and not a token signing key: a leaked cookie key tells nothing
 * of the signing key.
 */
export function cookieKeysOf(key: SigningKey): string[] {
  const secret = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  const derived = hkdfSync('sha256', secret, 'qrlogin', 'oidc-provider cookie keys v1', 32);
  return [Buffer.from(derived).toString('base64url')];
}
