/**
 * @module
 * Counters without prom-client on the hot path: a prom-client `inc()` validates and hashes its
 * labels on every call, a few microseconds on a busy server. Here a count is a plain number in
 * a cell, and the scrape copies the cells into the prom-client counter (its `collect`). The
 * histograms are ./histogram.ts.
 */
import type { Counter } from 'prom-client';

/** One counter's values by label value, as plain numbers. */
export interface Cells {
  /** Adds one to `value`'s cell (made at 0 on first use). */
  inc(value: string): void;
  /** Makes `value`'s cell, at 0, so its series is exported before its first count. */
  zero(value: string): void;
  /** Copies the cells into `counter` (its `collect`: called at each scrape). */
  copyTo(counter: Counter<string>, label: string): void;
}

export function createCells(): Cells {
  const cells = new Map<string, { count: number }>();
  const cellOf = (value: string) => {
    let cell = cells.get(value);
    if (cell === undefined) cells.set(value, (cell = { count: 0 }));
    return cell;
  };
  return {
    inc(value) {
      cellOf(value).count += 1;
    },
    zero(value) {
      cellOf(value);
    },
    copyTo(counter, label) {
      counter.reset();
      for (const [value, cell] of cells) counter.inc({ [label]: value }, cell.count);
    },
  };
}
