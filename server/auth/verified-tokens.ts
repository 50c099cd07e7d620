/**
 * @module
 * Remembers user tokens that passed verification, so a phone's next request skips the
 * signature check (an ECDSA verify is the largest single cost of `scanned` and `confirm`).
 * A remembered token is accepted only while it has not expired and while the very key that
 * verified it is still in the key set: dropping a key forgets its tokens at once. Only tokens
 * that verified are remembered, so garbage cannot fill it; it holds at most `maxEntries`,
 * forgetting the oldest first.
 */
import type { VerificationKey } from './keys';

interface Entry {
  sub: string;
  kid: string;
  key: VerificationKey;
  /** Epoch ms. */
  expiresAt: number;
}

export class VerifiedTokens {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The subject of a remembered token, if `currentKey(kid)` is still the key that verified it. */
  get(token: string, now: number, currentKey: (kid: string) => VerificationKey | undefined): string | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || currentKey(entry.kid) !== entry.key) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.sub;
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
