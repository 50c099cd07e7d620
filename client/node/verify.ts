/**
 * @module
 * `verifyIdToken`: checks an ID token from qrlogin (the `token` of `POST
 * /api/v2/qrcode/userinfo`) against the issuer's published keys, and returns its claims.
 */
import { type JWTPayload, errors, jwtVerify } from 'jose';
import { QrLoginTokenError } from './errors';
import { keySetOf } from './key-sets';

/** The claims of a verified qrlogin ID token. */
export interface IdTokenClaims extends JWTPayload {
  /** The issuer: qrlogin's `ISSUER`. */
  iss: string;
  /** The user id (the `id` of the user `userinfo` returned). */
  sub: string;
  /** Your app id. */
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  /** `["qr"]`: signed in by scanning a QR code. */
  amr: string[];
  /** When the user approved the login (seconds since the epoch). */
  auth_time: number;
  /** The user's nickname (as `nickname`). */
  name: string;
  nickname: string;
  /** The user's username. */
  preferred_username: string;
  picture?: string;
  email?: string;
  phone_number?: string;
  /** Present in tokens from qrlogin's OpenID Connect endpoints. */
  sid?: string;
  nonce?: string;
}

export interface VerifyIdTokenOptions {
  /** qrlogin's issuer (its `ISSUER`, else its `PUBLIC_URL`), e.g. `https://login.example.com`. */
  issuer: string;
  /** Your app id: the token's `aud` must name it. */
  audience: string;
  /** Signature algorithms accepted (default `['ES256', 'RS256']`, what qrlogin signs with). */
  algorithms?: string[];
  /** Clock skew allowed on `exp`, `iat` and `nbf`, in seconds (default 5). */
  clockTolerance?: number;
  /** Where the keys are, when not in the issuer's discovery document (rarely needed). */
  jwksUri?: string;
}

export const DEFAULT_ALGORITHMS = ['ES256', 'RS256'];

/**
 * The reason jose gives, without anything of the token (its messages name checks, not values).
 * `what` names the token in the message ("ID token", "Logout token").
 */
export function classify(error: unknown, what = 'ID token'): QrLoginTokenError {
  if (error instanceof QrLoginTokenError) return error;
  const unreachable = (reason: string) =>
    new QrLoginTokenError('unreachable', `${what} not checked: the issuer's keys could not be fetched (${reason})`);
  if (error instanceof errors.JWTExpired) return new QrLoginTokenError('expired', `${what} refused: it has expired`);
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return unreachable(error.message);
  if (error instanceof errors.JOSEError) {
    // The generic JOSEError is jose's "the JWKS answered something other than 200 OK".
    if (error.code === 'ERR_JOSE_GENERIC') return unreachable(error.message);
    return new QrLoginTokenError('invalid', `${what} refused: ${error.message}`);
  }
  // fetch failed (DNS, refused connection, TLS): the keys are out of reach.
  if (error instanceof TypeError) return unreachable(error.message);
  return new QrLoginTokenError('invalid', `${what} refused`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Verifies a qrlogin ID token: signature (the issuer's JWKS, fetched once and cached per
 * issuer), `iss`, `aud` = your app id, `exp`, header `typ: JWT` (so a phone's user token,
 * `typ: qrlogin-user+jwt`, is refused) and the algorithm.
 *
 * @returns the token's claims (`sub` is the user id).
 * @throws {QrLoginTokenError} `code` `'expired'`, `'invalid'` or `'unreachable'`; the message
 *   never contains the token.
 *
 * @example
 * const claims = await verifyIdToken(user.token, { issuer: 'https://login.example.com', audience: 'shop' });
 * console.log(claims.sub, claims.nickname);
 */
export async function verifyIdToken(token: string, options: VerifyIdTokenOptions): Promise<IdTokenClaims> {
  if (typeof token !== 'string' || token.length === 0) throw new QrLoginTokenError('invalid', 'ID token refused: no token given');
  if (!options?.issuer || !options.audience) throw new TypeError('verifyIdToken: `issuer` and `audience` are required');
  try {
    const keys = await keySetOf(options.issuer, options.jwksUri);
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      clockTolerance: options.clockTolerance ?? 5,
      typ: 'JWT',
      requiredClaims: ['sub', 'iat', 'exp'],
    });
    if (typeof payload.sub !== 'string' || !isStringArray(payload.amr)) {
      throw new QrLoginTokenError('invalid', 'ID token refused: not a qrlogin ID token (no sub or amr)');
    }
    return payload as IdTokenClaims;
  } catch (error) {
    throw classify(error);
  }
}
