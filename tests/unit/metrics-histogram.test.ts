/**
 * The array histogram (server/metrics/histogram.ts) exports what prom-client's own Histogram
 * would for the same observations: cumulative `le` buckets (a value equal to a bound counts in
 * it), `+Inf`, `_sum` and `_count`, per label set; and the counter cells copy their counts.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { createCells } from '../../server/metrics/cells';
import { registerHistogram } from '../../server/metrics/histogram';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED: [string, string, number][] = [
  ['/a', '2xx', 0.0005],
  ['/a', '2xx', 0.001],
  ['/a', '2xx', 0.05],
  ['/a', '4xx', 0.2],
  ['/b', '2xx', 3],
  ['/a', '2xx', 0.0100001],
];

test('the same exposition as prom-client’s Histogram for the same observations', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const config = { name: 'h_seconds', help: 'help text', labelNames: ['route', 'status_class'], buckets: BUCKETS };
  const histogram = registerHistogram(ours, config);
  const reference = new Histogram({ ...config, registers: [theirs] });
  for (const [route, statusClass, value] of OBSERVED) {
    histogram.series(route, statusClass)(value);
    reference.observe({ route, status_class: statusClass }, value);
  }
  expect(await ours.metrics()).toBe(await theirs.metrics());
});

test('a series is made once per label set, and reset empties every series', async () => {
  const registry = new Registry();
  const histogram = registerHistogram(registry, { name: 'p_seconds', help: 'h', labelNames: [], buckets: BUCKETS });
  expect(histogram.series()).toBe(histogram.series());
  histogram.series()(0.5);
  expect(await registry.metrics()).toContain('p_seconds_count 1');
  registry.resetMetrics();
  expect(await registry.metrics()).toContain('p_seconds_count 0');
  expect(() => histogram.series('extra')).toThrow(/takes labels/);
});

test('counter cells: counted as plain numbers, copied into the counter at the scrape, zeroed series included', async () => {
  const registry = new Registry();
  const cells = createCells();
  new Counter({
    name: 'c_total',
    help: 'h',
    labelNames: ['rule'],
    registers: [registry],
    collect() {
      cells.copyTo(this, 'rule');
    },
  });
  cells.zero('idle');
  cells.inc('busy');
  cells.inc('busy');
  const text = await registry.metrics();
  expect(text).toContain('c_total{rule="idle"} 0');
  expect(text).toContain('c_total{rule="busy"} 2');
  cells.inc('busy');
  expect(await registry.metrics()).toContain('c_total{rule="busy"} 3');
});
