/**
 * @module
 * The seam for the company's own identity provider: a phone token that is not a qrlogin user
 * token is handed to an {@link ExternalTokenVerifier}, which says who the user is.
 */
import type { PublicUser } from '../../../shared/http';

/** A user the company's identity provider vouches for. */
export interface ExternalIdentity {
  /** `id` is the token's `sub`, unchanged; the rest comes from the standard claims. */
  user: PublicUser;
  /** When the token ends (epoch ms): a logout keeps it on the denylist until then. */
  expiresAt: number;
}

export interface ExternalTokenVerifier {
  /**
   * Who the token's user is. Throws `AppError('NOT_LOGGED_IN')` for any token the provider
   * does not vouch for (expired, tampered, another issuer or audience, a disallowed algorithm,
   * inactive), and `AppError('UNAVAILABLE', { retryAfter })` when the provider cannot be
   * reached to decide. Never echoes the token.
   */
  verify(token: string): Promise<ExternalIdentity>;
  /** Stops timers and drops caches. */
  close(): void;
}
