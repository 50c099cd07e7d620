/**
 * @module
 * Remembers user tokens that passed verification, so a phone's next request skips the
 * signature check (an ECDSA verify is the largest single cost of `scanned` and `confirm`).
 * A remembered token is accepted only while it has not expired and while the very key that
 * verified it is still in the key set: dropping a key forgets its tokens at once. Only tokens
 * that verified are remembered, so garbage cannot fill it; it holds at most `maxEntries`,
 * forgetting the oldest first. Revocation is not judged here (another instance may revoke a
 * token at any time): services/users.ts asks the store on every request.
 */
import type { VerificationKey } from './keys';

/** What a valid user token says: whose it is, its id (for revocation) and when it ends. */
export interface VerifiedUserToken {
  /** The user id. */
  sub: string;
  /** The token's unique id: what a logout puts on the denylist. */
  jti: string;
  /** `exp` in epoch ms. */
  expiresAt: number;
}

/** The token's claims (`expiresAt` in epoch ms), and the key that verified it. */
interface Entry extends VerifiedUserToken {
  kid: string;
  key: VerificationKey;
}

export class VerifiedTokens {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The claims of a remembered token, if `currentKey(kid)` is still the key that verified it. */
  get(token: string, now: number, currentKey: (kid: string) => VerificationKey | undefined): VerifiedUserToken | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || currentKey(entry.kid) !== entry.key) {
      this.#entries.delete(token);
      return undefined;
    }
    return { sub: entry.sub, jti: entry.jti, expiresAt: entry.expiresAt };
  }

  remember(token: string, entry: Entry): void {
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(token)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
  }

  get size(): number {
    return this.#entries.size;
  }
}
