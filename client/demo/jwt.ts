/**
 * @module
 * Decodes a JWT's payload for display. It does NOT verify anything: a backend must verify the
 * signature against `/.well-known/jwks.json` before trusting a claim.
 */

/** Bytes of a base64url string (padding optional). */
export function base64UrlDecode(input: string): Uint8Array {
  const base64 = input.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The claims of a compact JWT, or `null` if it is not one. */
export function decodeJwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload)));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
