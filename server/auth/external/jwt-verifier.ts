/**
 * @module
 * The company's JWT access tokens (RFC 9068 or any signed JWT), verified with jose against
 * the provider's keys: its issuer, our audience (when `USER_TOKEN_AUDIENCE` is set), one of
 * the configured asymmetric algorithms (never `none`, never HS*), and `exp` and `sub` present;
 * 30 s of clock skew are forgiven, and the time is the injected clock's. A sender-constrained
 * token (`cnf`: DPoP or mTLS) is refused: a bearer token is all a phone presents here.
 *
 * The identity's `expiresAt` is when the token stops being accepted here, its `exp` plus the
 * tolerance: a logout keeps it on the denylist that long. A token that verified is remembered
 * (by its hash) for at most `positiveCacheMs`, never past that moment, and only while the
 * provider serves the same keys: a new key set forgets them all.
 */
import { type JWTPayload, type JWTVerifyOptions, errors, jwtVerify } from 'jose';
import type { Clock } from '../../domain/clock';
import { sha256 } from '../../domain/secrets';
import { AppError } from '../../errors';
import type { ExternalIdentity } from './types';
import { AnswerCache } from './answer-cache';
import type { KeySource } from './key-source';
import { CLOCK_TOLERANCE_SECONDS, type ExternalTimings, refused } from './outcome';
import { profileOf } from './profile';

export interface JwtVerifierOptions {
  issuer: string;
  audience: string | null;
  algorithms: readonly string[];
  keys: KeySource;
  now: Clock;
  timings: ExternalTimings;
}

export interface JwtVerifier {
  verify(token: string): Promise<ExternalIdentity>;
  close(): void;
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const { keys, now, timings } = options;
  const remembered = new AnswerCache<{ identity: ExternalIdentity; generation: number }>(now);

  const verifyOptions = (): JWTVerifyOptions => ({
    issuer: options.issuer,
    ...(options.audience !== null ? { audience: options.audience } : {}),
    algorithms: [...options.algorithms],
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    currentDate: new Date(now()),
  });

  /** The verified claims; several keys matching the header (no `kid`, or a repeated one) are each tried. */
  const claimsOf = async (token: string): Promise<JWTPayload> => {
    try {
      return (await jwtVerify(token, keys.key, verifyOptions())).payload;
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      for await (const key of error) {
        try {
          return (await jwtVerify(token, key, verifyOptions())).payload;
        } catch (failure) {
          if (!(failure instanceof errors.JWSSignatureVerificationFailed)) throw failure;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  };

  return {
    async verify(token) {
      const hash = sha256(token);
      const hit = remembered.get(hash);
      if (hit && hit.generation === keys.generation()) return hit.identity;

      let claims: JWTPayload;
      try {
        claims = await claimsOf(token);
      } catch (error) {
        // An AppError is the key source's UNAVAILABLE; anything else is jose refusing the token.
        throw error instanceof AppError ? error : refused(error);
      }
      if (claims.cnf !== undefined) throw refused('a sender-constrained token');
      const user = profileOf(claims);
      if (user === null || typeof claims.exp !== 'number') throw refused('no usable sub');
      const identity: ExternalIdentity = { user, expiresAt: (claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000 };
      remembered.set(hash, { identity, generation: keys.generation() }, Math.min(identity.expiresAt, now() + timings.positiveCacheMs));
      return identity;
    },
    close: () => remembered.clear(),
  };
}
