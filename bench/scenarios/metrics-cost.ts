/**
 * @module
 * The part `metrics`: what counting Prometheus metrics costs. Pairs of qrlogin processes on the
 * memory store run side by side, one as shipped (metrics on) and one with `METRICS=off`; the
 * metrics-on one is scraped (`GET /metrics`) every {@link SCRAPE_EVERY_MS} throughout, about four
 * times as often as Prometheus's default 15 s. In each pair push latency is taken in alternating
 * blocks of the two, and throughput at concurrency 10 in windows on, off, off, on (or the
 * reverse), so drift in the machine falls on both alike.
 */
import { closeIdleConnections } from '../lib/http';
import { METRICS_CONCURRENCY, type MetricsCost, progress, record } from '../lib/results';
import { startQrlogin, using } from '../lib/targets';
import { type Part, sameInstance } from './parts';
import { interleaved, openQrloginProbe } from './push-latency';
import { combine, qrloginThroughput } from './throughput';
import { summarize } from '../lib/stats';

/** How often the metrics-on server is scraped during the part. */
export const SCRAPE_EVERY_MS = 4000;

/**
 * `BENCH_METRICS_SAME=on|off` runs both servers the same way (an A/A run): the ratios it prints
 * are the harness's own noise on this machine, the yardstick for the real ones.
 */
const same = process.env.BENCH_METRICS_SAME;

type Side = MetricsCost['windows'][number]['metrics'];

const ROW = { part: 'metrics', target: 'qrlogin', instances: 1, store: 'memory' } as const;

const line = (r: { loginsPerSecond: number; serverCpuMsPerLogin: number }) =>
  `${r.loginsPerSecond.toFixed(0)} logins/s, ${r.serverCpuMsPerLogin.toFixed(3)} CPU ms/login`;

/**
 * Scrapes `url/metrics` every `everyMs` until stopped; a scrape that fails fails the part. Its
 * own client (fetch), apart from the load's keep-alive pool, which is emptied between windows.
 */
function scraping(url: string, everyMs: number): { stop(): Promise<number> } {
  let count = 0;
  let failure: unknown;
  const scrape = async () => {
    const answer = await fetch(`${url}/metrics`);
    await answer.text();
    if (answer.status !== 200) throw new Error(`/metrics: ${answer.status}`);
    count += 1;
  };
  const timer = setInterval(() => {
    scrape().catch((error: unknown) => (failure = error));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await scrape();
      if (failure) throw failure;
      return count;
    },
  };
}

/**
 * Pairs of processes, each measured on its own: which of two processes answers faster varies
 * by several per cent from one start to the next (an A/A run shows it), more than the cost
 * measured here, so the samples of several pairs are pooled, the pairs started in turn
 * metrics-on first and metrics-off first.
 */
export const METRICS_PAIRS = 4;

/** The unmeasured load each server of a pair gets before the windows. */
const WARM_UP_MS = 3000;

interface PairResult {
  samples: Record<Side, number[]>;
  windows: MetricsCost['windows'];
  scrapes: number;
}

async function measurePair(index: number, logins: number, halfWindowMs: number): Promise<PairResult> {
  const start = (side: Side) =>
    startQrlogin({ name: `qrlogin metrics ${side} (pair ${index + 1})`, store: 'memory', metrics: same ? same === 'on' : side === 'on' });
  const sides: Side[] = index % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
  return using(
    async () => [await start(sides[0]!), await start(sides[1]!)],
    async (started) => {
      const servers = { [sides[0]!]: started[0]!, [sides[1]!]: started[1]! } as Record<Side, (typeof started)[number]>;
      const scraper = same === 'off' ? null : scraping(servers.on.url, SCRAPE_EVERY_MS);
      const probes = [await openQrloginProbe(sameInstance(servers.on.url)), await openQrloginProbe(sameInstance(servers.off.url))];
      let samples: PairResult['samples'];
      try {
        const [on, off] = await interleaved(probes, logins);
        samples = { on: on ?? [], off: off ?? [] };
      } finally {
        for (const probe of probes) probe.close();
      }
      // Both warmed under the same load first: a fresh process's first window under load is its
      // slowest (its code and heap still settling), whichever it is.
      for (const side of sides) {
        closeIdleConnections();
        await qrloginThroughput(servers[side].process, servers[side].url, METRICS_CONCURRENCY, WARM_UP_MS, 0);
      }
      const windows: MetricsCost['windows'] = [];
      // ABBA in one pair, BAAB in the next: each side's windows fall as often first as second.
      const order = (['on', 'off', 'off', 'on'] as Side[]).map((side) => (index % 2 === 0 ? side : side === 'on' ? 'off' : 'on'));
      for (const side of order) {
        const server = servers[side];
        // No connection that idled through the other side's window (a server closes those after
        // its 5 s keep-alive timeout, racing their reuse).
        closeIdleConnections();
        windows.push({
          metrics: side,
          ...(await qrloginThroughput(server.process, server.url, METRICS_CONCURRENCY, halfWindowMs, 500)),
        });
      }
      const scrapes = (await scraper?.stop()) ?? 0;
      const ratio = summarize(samples.on).p50 / summarize(samples.off).p50;
      const loginsRatio =
        combine(windows.filter((w) => w.metrics === 'on')).loginsPerSecond /
        combine(windows.filter((w) => w.metrics === 'off')).loginsPerSecond;
      progress(
        `pair ${index + 1} (${sides[0]} started first): push p50 on/off × ${ratio.toFixed(3)}, logins/s on/off × ${loginsRatio.toFixed(3)}`,
      );
      return { samples, windows, scrapes };
    },
  );
}

export const metricsOnVersusOff: Part = async ({ settings }, results) => {
  if (same) progress(`BENCH_METRICS_SAME=${same}: both servers of every pair run with metrics ${same} (an A/A run)`);
  const pairs: PairResult[] = [];
  for (let index = 0; index < METRICS_PAIRS; index += 1) {
    pairs.push(await measurePair(index, Math.ceil(settings.logins / METRICS_PAIRS), settings.throughputMs / 4));
  }
  const pooled = (side: Side) => pairs.flatMap((pair) => pair.samples[side]);
  const push = {
    on: record(results, { ...ROW, name: 'qrlogin, 1 instance, memory, metrics on', idleSockets: 0 }, pooled('on')),
    off: record(results, { ...ROW, name: 'qrlogin, 1 instance, memory, METRICS=off', idleSockets: 0 }, pooled('off')),
  };
  const windows = pairs.flatMap((pair) => pair.windows);
  const of = (side: Side) => combine(windows.filter((w) => w.metrics === side));
  const scrapes = pairs.reduce((total, pair) => total + pair.scrapes, 0);
  results.metricsCost = { push, windows, on: of('on'), off: of('off'), scrapes, scrapeEveryMs: SCRAPE_EVERY_MS, pairs: METRICS_PAIRS };
  const { on: m, off: o } = results.metricsCost;
  progress(
    `c=${METRICS_CONCURRENCY}: metrics on ${line(m)}; off ${line(o)} (on/off × ${(m.loginsPerSecond / o.loginsPerSecond).toFixed(3)}); ${scrapes} scrapes`,
  );
};
