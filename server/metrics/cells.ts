/**
 * @module
 * Counting on the hot path without prom-client on it. A prom-client `inc()` or `observe()`
 * validates and hashes its labels on every call: a few microseconds each on a busy server,
 * which is measurable on a 0.4 ms push (BENCHMARKS.md, "Metrics cost"). So counters are plain
 * numbers in cells that the scrape copies into prom-client, and histogram observations wait in
 * preallocated arrays until the scrape, or until the event loop has finished the current
 * request (`setImmediate`), whichever comes first.
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

export interface Observer {
  observe(value: number): void;
}

/** Observations held for prom-client: no allocation per observation. */
export interface Pending {
  add(target: Observer, value: number): void;
  /** Hands every held observation to its target (the histograms' `collect` calls it first). */
  flush(): void;
}

/** Held at most; a full hold is handed over at once (never lost). */
const CAPACITY = 1024;

export function createPending(): Pending {
  const targets: (Observer | undefined)[] = new Array<Observer | undefined>(CAPACITY).fill(undefined);
  const values = new Float64Array(CAPACITY);
  let held = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (let i = 0; i < held; i += 1) {
      targets[i]?.observe(values[i] ?? 0);
      targets[i] = undefined;
    }
    held = 0;
  };
  return {
    add(target, value) {
      if (held === CAPACITY) flush();
      targets[held] = target;
      values[held] = value;
      held += 1;
      // After the I/O of this turn of the event loop: the push and the answer are out by then.
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
