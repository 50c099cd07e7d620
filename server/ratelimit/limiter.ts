/**
 * @module
 * Fixed-window counters: `limiter.take(rule, subject)` counts one request and throws
 * `RATE_LIMITED` (429, `Retry-After`) past the rule's limit. Counters live in the backend's
 * store (memory, or Redis so every instance shares them). Subjects are hashed before they are
 * stored: a ticket or an IP never appears as a key. A refusal calls `onRefused` (the metrics)
 * and is logged at `warn`, at most one line per rule per 10 s carrying the count since the
 * rule's previous line: the rule and the count only, never the subject (an address, a user,
 * a ticket).
 */
import { sha256 } from '../domain/secrets';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { IP_RULES, type RateLimits, type RateRule } from './limits';

export interface RateCounterStore {
  /**
   * Counts one hit on `key` under `rule` and returns the count and the ms left in its window.
   * `full`: the store holds as many live windows for `rule` as it may and cannot start one
   * for this new subject; the hit is refused (a store never answers "1" for a window it did
   * not keep: that would let a new subject through uncounted).
   */
  hit(rule: string, key: string, windowMs: number): Promise<{ count: number; resetMs: number; full?: boolean }>;
  /** Stops background work (timers); the memory counters have some. */
  close?(): void;
}

/**
 * The counting subject for a client address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its
 * /64, since one subscriber usually holds a whole /64 and could otherwise rotate addresses.
 */
export function ipSubject(ip: string): string {
  const plain = ip
    .trim()
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!plain.includes(':')) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface RateLimiter {
  take(rule: RateRule, subject: string): Promise<void>;
}

/** A full table is reported at most once a minute per rule (a flood would write a line a request). */
const FULL_WARNING_EVERY_MS = 60_000;
/** Refusals are logged at most once per rule in this long. */
export const REFUSAL_LINE_EVERY_MS = 10_000;

export function createRateLimiter(
  limits: RateLimits,
  store: RateCounterStore,
  logger: Logger,
  now: () => number = Date.now,
  onRefused: (rule: RateRule) => void = () => {},
): RateLimiter {
  const warnedFull = new Map<RateRule, number>();
  const refusals = new Map<RateRule, { loggedAt: number; count: number }>();
  const refuse = (rule: RateRule, resetMs: number): AppError => {
    onRefused(rule);
    let seen = refusals.get(rule);
    if (!seen) refusals.set(rule, (seen = { loggedAt: -Infinity, count: 0 }));
    seen.count += 1;
    const at = now();
    if (at - seen.loggedAt >= REFUSAL_LINE_EVERY_MS) {
      // `count`: the refusals of this rule since its previous line, this one included.
      logger.warn('rate limited', { event: 'rate_limited', rule, count: seen.count });
      seen.loggedAt = at;
      seen.count = 0;
    }
    return new AppError('RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(resetMs / 1000)) });
  };
  return {
    async take(rule, subject) {
      const limit = limits[rule];
      if (!limit) return;
      let counted: Awaited<ReturnType<RateCounterStore['hit']>>;
      try {
        const key = IP_RULES.has(rule) ? ipSubject(subject) : subject;
        counted = await store.hit(rule, sha256(key).slice(0, 22), limit.windowSeconds * 1000);
      } catch (error) {
        // The counters live in the same Redis as everything else: when they cannot be reached
        // the request could not be served either. Answer 503 now rather than wait out a second
        // deadline in the store (and never let requests through uncounted).
        logger.warn('rate limit counter unavailable', { rule, error });
        throw new AppError('UNAVAILABLE', { cause: error, retryAfter: 1 });
      }
      if (counted.full) {
        const at = now();
        if (at - (warnedFull.get(rule) ?? -Infinity) >= FULL_WARNING_EVERY_MS) {
          warnedFull.set(rule, at);
          logger.warn('rate limit table full: new subjects are refused until windows end', { rule });
        }
        throw refuse(rule, counted.resetMs);
      }
      if (counted.count > limit.limit) throw refuse(rule, counted.resetMs);
    },
  };
}
