/**
 * @module
 * Answers about tokens remembered briefly, so a phone's next request does not ask the
 * provider again: keyed by the token's SHA-256 (the token itself is never kept), each until
 * its own deadline on the injected clock, at most `maxEntries`, forgetting the oldest first.
 */
import type { Clock } from '../../domain/clock';

interface Entry<T> {
  value: T;
  until: number;
}

export class AnswerCache<T> {
  readonly #entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers `value` until `until` (epoch ms); a deadline already past stores nothing. */
  set(key: string, value: T, until: number): void {
    if (until <= this.now()) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, until });
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
