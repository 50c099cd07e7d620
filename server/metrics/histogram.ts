/**
 * @module
 * A Prometheus histogram counted in plain arrays: `observe` is a bucket search and three
 * additions, with no allocation and no label hashing, so it can sit on the push path.
 * prom-client's own `Histogram.observe` validates and hashes its labels on every call, which
 * cost about 15 µs of a 0.4 ms push in-process (BENCHMARKS.md, "Metrics cost"). The registry
 * reads it at the scrape like any of its metrics: an object with a name and a `get()` that
 * answers prom-client's metric shape (what its `Histogram.get()` answers).
 */
import type { Registry } from 'prom-client';

export interface HistogramConfig {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Upper bounds, ascending (`+Inf` is added). */
  buckets: readonly number[];
}

/** Observes into one label set's series. */
export type Observe = (value: number) => void;

interface Series {
  labels: Record<string, string>;
  /** Per bucket, not cumulative; observations above the last bound are only in `count`. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export interface ArrayHistogram {
  /** The observer of the series with these label values (in `labelNames` order), made once. */
  series(...values: string[]): Observe;
}

export function registerHistogram(registry: Registry, config: HistogramConfig): ArrayHistogram {
  const { name, help, labelNames, buckets } = config;
  const all: Series[] = [];
  const observers = new Map<string, Observe>();

  const metric = {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    get() {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const { labels, counts, sum, count } of all) {
        let cumulative = 0;
        buckets.forEach((le, i) => {
          cumulative += counts[i] ?? 0;
          values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${name}_bucket` });
        values.push({ labels, value: sum, metricName: `${name}_sum` });
        values.push({ labels, value: count, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {
      for (const series of all) {
        series.counts.fill(0);
        series.sum = 0;
        series.count = 0;
      }
    },
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);

  return {
    series(...values) {
      const key = values.join('\u0000');
      const known = observers.get(key);
      if (known) return known;
      if (values.length !== labelNames.length) throw new Error(`${name} takes labels ${labelNames.join(', ')}`);
      const series: Series = {
        labels: Object.fromEntries(labelNames.map((label, i) => [label, values[i] ?? ''])),
        counts: new Float64Array(buckets.length),
        sum: 0,
        count: 0,
      };
      all.push(series);
      const observe: Observe = (value) => {
        let i = 0;
        while (i < buckets.length && value > (buckets[i] as number)) i += 1;
        if (i < buckets.length) series.counts[i] = (series.counts[i] ?? 0) + 1;
        series.sum += value;
        series.count += 1;
      };
      observers.set(key, observe);
      return observe;
    },
  };
}
