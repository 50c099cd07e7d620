/**
 * deploy/grafana-dashboard.json is a dashboard Grafana can import, and it plots every metric
 * the metrics module defines (server/metrics), and no qrlogin metric that does not exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC } from '../../server/metrics/names';
import { createMetrics } from '../../server/metrics/registry';

interface Panel {
  id: number;
  title: string;
  type: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'grafana-dashboard.json'), 'utf8')) as {
  title: string;
  uid: string;
  panels: Panel[];
};
const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/** The qrlogin metric families a registry of the module defines, read from its own exposition. */
async function definedFamilies(): Promise<string[]> {
  const text = await createMetrics(['demo']).scrape();
  return [...text.matchAll(/^# TYPE (qrlogin_\w+) /gm)].map((match) => match[1]!);
}

test('it is a dashboard: a title, a uid, panels with unique ids, a place on the grid and queries', () => {
  expect(dashboard.title).toBe('qrlogin');
  expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
  expect(Array.isArray(dashboard.panels)).toBe(true);
  expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
  const ids = dashboard.panels.map((panel) => panel.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const panel of dashboard.panels) {
    expect(panel.title).toEqual(expect.any(String));
    expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(target.expr.trim()).not.toBe('');
  }
});

test('the module defines exactly the metrics of server/metrics/names.ts', async () => {
  expect((await definedFamilies()).sort()).toEqual(Object.values(METRIC).sort());
});

test('every metric the module defines appears in some panel expression', async () => {
  const families = await definedFamilies();
  expect(families.length).toBeGreaterThan(0);
  for (const family of families) {
    const used = expressions.some((expr) => new RegExp(`\\b${family}(?:_bucket|_count|_sum)?\\b`).test(expr));
    if (!used) throw new Error(`no panel queries ${family}`);
  }
});

test('the push latency and HTTP panels take quantiles of the histograms, HTTP per route', () => {
  expect(expressions).toContainEqual(expect.stringMatching(/histogram_quantile\(0\.5, .*qrlogin_push_latency_seconds_bucket/));
  expect(expressions).toContainEqual(expect.stringMatching(/histogram_quantile\(0\.99, .*qrlogin_push_latency_seconds_bucket/));
  expect(expressions).toContainEqual(
    expect.stringMatching(/histogram_quantile\(0\.99, sum by \(le, route\) .*qrlogin_http_request_duration_seconds_bucket/),
  );
});

test('no panel queries a qrlogin metric that does not exist', () => {
  const known = new Set<string>(Object.values(METRIC));
  const queried = expressions.flatMap((expr) => [...expr.matchAll(/\bqrlogin_\w+/g)].map((match) => match[0]));
  for (const name of queried) expect(known.has(name.replace(/_(bucket|count|sum)$/, ''))).toBe(true);
});
