/**
 * @module
 * The public keys of an issuer, found through its discovery document
 * (`<issuer>/.well-known/openid-configuration` → `jwks_uri`, falling back to
 * `<issuer>/.well-known/jwks.json` when there is no such document) and fetched, cached and
 * refreshed on an unknown `kid` by jose's `createRemoteJWKSet`. One key set per issuer for the
 * whole process, shared by every call.
 */
import { createRemoteJWKSet } from 'jose';
import { QrLoginTokenError } from './errors';

export type KeySet = ReturnType<typeof createRemoteJWKSet>;

const DISCOVERY_TIMEOUT_MS = 5_000;
const keySets = new Map<string, Promise<KeySet>>();

/** `issuer` without trailing slashes, the base of its well-known URLs. */
function base(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

async function jwksUriOf(issuer: string): Promise<string> {
  const discovery = `${base(issuer)}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(discovery, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new QrLoginTokenError('unreachable', `could not fetch ${discovery}: ${reason}`);
  }
  if (response.status === 404) return `${base(issuer)}/.well-known/jwks.json`;
  if (!response.ok) throw new QrLoginTokenError('unreachable', `${discovery} answered HTTP ${response.status}`);
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  } catch {
    throw new QrLoginTokenError('unreachable', `${discovery} is not JSON`);
  }
  if (document.issuer !== issuer) {
    // OpenID Connect Discovery §4.3: a document that names another issuer is not this one's.
    throw new QrLoginTokenError(
      'invalid',
      `${discovery} names the issuer ${String(document.issuer)}, not ${issuer}: check the issuer option`,
    );
  }
  if (typeof document.jwks_uri !== 'string' || !/^https?:\/\//.test(document.jwks_uri)) {
    throw new QrLoginTokenError('unreachable', `${discovery} has no http(s) jwks_uri`);
  }
  return document.jwks_uri;
}

/**
 * The key set of `issuer` (or of `jwksUri` when given), created on first use. A failed
 * discovery is not cached: the next call tries again.
 */
export function keySetOf(issuer: string, jwksUri?: string): Promise<KeySet> {
  const cacheKey = `${issuer} ${jwksUri ?? ''}`;
  let keySet = keySets.get(cacheKey);
  if (!keySet) {
    keySet = (jwksUri ? Promise.resolve(jwksUri) : jwksUriOf(issuer)).then((uri) => createRemoteJWKSet(new URL(uri)));
    keySets.set(cacheKey, keySet);
    void keySet.catch(() => keySets.delete(cacheKey));
  }
  return keySet;
}
