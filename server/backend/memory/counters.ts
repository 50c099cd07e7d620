/**
 * @module
 * Rate-limit counters in this process (the embedded default). Bounded, and never failing open:
 * - each rule has a table of its own, of at most `maxKeysPerRule` live windows, so one rule
 *   flooded with subjects (many addresses, many users) cannot crowd out another's;
 * - a table full of live windows refuses new subjects (`full`, a 429) rather than count them
 *   "once, without keeping them", which let every new subject through;
 * - windows of one rule all last as long, so a table in insertion order is in expiry order:
 *   a new subject drops the ended windows at the head and stops at the first live one (no
 *   sweep of the whole table on the request path); a timer sweeps every table besides. Should
 *   the clock have stepped back (ended windows behind a live head), a full table is swept
 *   whole before it refuses anyone, at most once a second.
 */
import type { RateCounterStore } from '../../ratelimit/limiter';

interface Window {
  count: number;
  resetAt: number;
}

/** Live windows kept per rule (about 150 bytes each). */
export const MAX_KEYS_PER_RULE = 50_000;
const SWEEP_EVERY_MS = 15_000;
/** A full table is swept whole at most this often before refusing. */
const FULL_SWEEP_EVERY_MS = 1_000;

export interface MemoryCounters extends RateCounterStore {
  /** Drops every ended window (the timer's job; callable by tests). */
  sweep(): void;
  /** Windows held for `rule` (ended ones not yet dropped included). */
  size(rule: string): number;
  close(): void;
}

export function createMemoryCounters(now: () => number, maxKeysPerRule = MAX_KEYS_PER_RULE): MemoryCounters {
  const tables = new Map<string, Map<string, Window>>();
  const tableOf = (rule: string) => {
    let table = tables.get(rule);
    if (!table) tables.set(rule, (table = new Map()));
    return table;
  };
  const dropEndedAtHead = (table: Map<string, Window>, at: number) => {
    for (const [key, window] of table) {
      if (window.resetAt > at) return;
      table.delete(key);
    }
  };
  const sweepTable = (table: Map<string, Window>, at: number) => {
    for (const [key, window] of table) if (window.resetAt <= at) table.delete(key);
  };
  const sweep = () => {
    const at = now();
    for (const table of tables.values()) sweepTable(table, at);
  };
  const lastFullSweep = new Map<string, number>();
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();

  return {
    async hit(rule, key, windowMs) {
      const at = now();
      const table = tableOf(rule);
      let window = table.get(key);
      if (window && window.resetAt <= at) {
        table.delete(key);
        window = undefined;
      }
      if (!window) {
        if (table.size >= maxKeysPerRule) dropEndedAtHead(table, at);
        if (table.size >= maxKeysPerRule && at - (lastFullSweep.get(rule) ?? -Infinity) >= FULL_SWEEP_EVERY_MS) {
          lastFullSweep.set(rule, at);
          sweepTable(table, at);
        }
        if (table.size >= maxKeysPerRule) {
          const oldest = table.values().next();
          return { count: 0, resetMs: oldest.done ? windowMs : Math.max(0, oldest.value.resetAt - at), full: true };
        }
        window = { count: 0, resetAt: at + windowMs };
        // Appended last: the table stays in expiry order.
        table.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetMs: window.resetAt - at };
    },
    sweep,
    size: (rule) => tables.get(rule)?.size ?? 0,
    close: () => clearInterval(timer),
  };
}
