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
import { IP_RULES, type RateLimits, type RateRule } from './limits';

export interface RateCounterStore {
  /** Counts one hit on `key` and returns the count and the ms left in its window. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
}

/**
 * The counting subject for a client address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its
 * /64, since one subscriber usually holds a whole /64 and could otherwise rotate addresses.
 */
export function ipSubject(ip: string): string {
  const plain = ip.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!plain.includes(':')) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
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
        const key = IP_RULES.has(rule) ? ipSubject(subject) : subject;
        counted = await store.hit(`${rule}:${sha256(key).slice(0, 22)}`, limit.windowSeconds * 1000);
      } catch (error) {
        // The counters live in the same Redis as everything else: when they cannot be reached
        // the request could not be served either. Answer 503 now rather than wait out a second
        // deadline in the store (and never let requests through uncounted).
        logger.warn('rate limit counter unavailable', { rule, error });
        throw new AppError('UNAVAILABLE', { cause: error, retryAfter: 1 });
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
        }
        window = { count: 0, resetAt: at + windowMs };
        // Still full of live windows: count this subject without keeping it, rather than grow
        // without bound or forget a live window (which would reset someone's limit).
        if (windows.size < maxKeys) windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetMs: window.resetAt - at };
    },
  };
}
