/**
 * @module
 * Fixed-window counters: `limiter.take(rule, subject)` counts one request and throws
 * `RATE_LIMITED` (429, `Retry-After`) past the rule's limit. Counters live in the backend's
 * store (memory, or Redis so every instance shares them). Subjects are hashed before they are
 * stored: a ticket or an IP never appears as a key.
 */
import { sha256 } from '../domain/secrets';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { RateLimits, RateRule } from './limits';

export interface RateCounterStore {
  /** Counts one hit on `key` and returns the count and the ms left in its window. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
}

export interface RateLimiter {
  take(rule: RateRule, subject: string): Promise<void>;
}

export function createRateLimiter(limits: RateLimits, store: RateCounterStore, logger: Logger): RateLimiter {
  return {
    async take(rule, subject) {
      const limit = limits[rule];
      if (!limit) return;
      let counted: { count: number; resetMs: number };
      try {
        counted = await store.hit(`${rule}:${sha256(subject).slice(0, 22)}`, limit.windowSeconds * 1000);
      } catch (error) {
        // The counters are unreachable: the request goes on and meets the store outage itself.
        logger.warn('rate limit counter unavailable', { rule, error });
        return;
      }
      if (counted.count > limit.limit) {
        throw new AppError('RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(counted.resetMs / 1000)) });
      }
    },
  };
}

/** Counters in this process (the embedded default), dropped as their windows end. */
export function createMemoryCounters(now: () => number, maxKeys = 100_000): RateCounterStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, windowMs) {
      const at = now();
      let window = windows.get(key);
      if (!window || window.resetAt <= at) {
        if (windows.size >= maxKeys) {
          for (const [name, entry] of windows) if (entry.resetAt <= at) windows.delete(name);
          // Still full of live windows: forget the oldest rather than grow without bound.
          const oldest = windows.keys().next();
          if (windows.size >= maxKeys && !oldest.done) windows.delete(oldest.value);
        }
        window = { count: 0, resetAt: at + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetMs: window.resetAt - at };
    },
  };
}
