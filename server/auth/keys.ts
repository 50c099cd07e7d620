/**
 * @module
 * The signing key of ID tokens and user tokens: loaded from PEM, or generated (P-256) when
 * none is configured. `kid` is the RFC 7638 JWK thumbprint, so every instance that shares a
 * key names it the same way.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export type SigningAlgorithm = 'ES256' | 'RS256';

/** A public key as `/.well-known/jwks.json` lists it. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
  [member: string]: string;
}

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface KeySet {
  /** Signs every new token. */
  current: SigningKey;
  /** Every public key a token of ours may still carry (current first). */
  jwks(): { keys: PublicJwk[] };
  /** The verification key and its algorithm for a `kid`, or undefined. */
  verificationKey(kid: string): VerificationKey | undefined;
  /**
   * Like `verificationKey`, but a key set shared between instances may first look for a
   * `kid` it has not seen yet (another instance's new key).
   */
  resolve(kid: string): Promise<VerificationKey | undefined>;
}

export interface VerificationKey {
  publicKey: KeyObject;
  alg: SigningAlgorithm;
}

function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new Error('signing key must be an EC P-256 or an RSA (≥ 2048 bits) private key');
}

/** RFC 7638 thumbprint of a public JWK: SHA-256 over its required members in order. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A signing key from a private key in PEM (PKCS#8, SEC1 or PKCS#1). */
export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey({ key: pem, format: 'pem' });
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const exported = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const kid = thumbprint(exported);
  return { kid, alg, privateKey, publicKey, jwk: { ...exported, kty: exported.kty ?? 'EC', kid, alg, use: 'sig' } };
}

/** A fresh P-256 key, for when no key is configured. */
export function generateSigningKey(): { key: SigningKey; pem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { key: signingKeyFromPem(pem), pem };
}

/** Reads the configured key (PEM text or file), or generates one. */
export async function loadSigningKey(source: { pem: string } | { file: string } | null): Promise<SigningKey> {
  if (source === null) return generateSigningKey().key;
  const pem = 'pem' in source ? source.pem : await readFile(source.file, 'utf8');
  return signingKeyFromPem(pem);
}

/** A key set of one current key plus older public keys still valid for verification. */
export function createKeySet(current: SigningKey, previous: readonly SigningKey[] = []): KeySet {
  const all = [current, ...previous.filter((key) => key.kid !== current.kid)];
  const byKid = new Map(all.map((key) => [key.kid, { publicKey: key.publicKey, alg: key.alg }]));
  return {
    current,
    jwks: () => ({ keys: all.map((key) => key.jwk) }),
    verificationKey: (kid) => byKid.get(kid),
    resolve: async (kid) => byKid.get(kid),
  };
}
