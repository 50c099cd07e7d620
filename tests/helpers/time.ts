/**
 * @module
 * Time for tests: `sleep(ms)`, the one real wait (for what only real time can show: a
 * server's own timers, a client's polling interval, a store's TTL), and `movableClock()`, a
 * `Clock` (server/domain/clock.ts) that stands still until the test moves it, for everything
 * a server reads from its injected clock (`startServer({ deps: { now } })`).
 */
import type { Clock } from '../../server/domain/clock';

/** Resolves after `ms` real milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface MovableClock {
  /** The clock to inject: epoch ms, moving only through `advance` and `set`. */
  now: Clock;
  advance(ms: number): void;
  set(at: number): void;
}

/** A clock standing at `start` (default: the real time now) until moved. */
export function movableClock(start: number = Date.now()): MovableClock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
    set: (value) => {
      at = value;
    },
  };
}
