/**
 * @module
 * The end of a bench run: the machine it ran on, the targets checked against the results,
 * the Markdown tables printed, and bench/results/latest.json.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createClient } from 'redis';
import type { BenchSettings } from './options';
import { openFilesLimit } from './processes';
import { section, table } from './report';
import { type BenchResults, EMBEDDED_CONCURRENCY, type LatencyRow, METRICS_CONCURRENCY } from './results';
import { round } from './stats';
import type { ThroughputResult } from '../scenarios/throughput';

export type Machine = Awaited<ReturnType<typeof machine>>;

export async function machine(redisUrl: string) {
  const client = createClient({ url: redisUrl });
  await client.connect();
  const info = String(await client.info('server'));
  await client.close();
  const version = (name: string) =>
    (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    socketIo: version('socket.io'),
    oidcProvider: version('oidc-provider'),
    openFilesLimit: openFilesLimit(),
  };
}

export interface TargetCheck {
  name: string;
  value: number;
  goal: string;
  met: boolean;
}

const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : Number.NaN);

/** The design's targets (BENCHMARKS.md), each with the value measured. */
export function targets(results: BenchResults, settings: BenchSettings, maxIdle: number): TargetCheck[] {
  const { capacity, throughput, polling, embeddedVsMemory, metricsCost } = results;
  const find = (part: LatencyRow['part'], target: LatencyRow['target'], instances: number, store: LatencyRow['store'], idle: number) =>
    results.latency.find(
      (r) => r.part === part && r.target === target && r.instances === instances && r.store === store && r.idleSockets === idle,
    )?.ms;
  const memory0 = find('single', 'qrlogin', 1, 'memory', 0);
  const memoryIdle = find('single', 'qrlogin', 1, 'memory', maxIdle);
  const cluster0 = find('redis', 'qrlogin', 3, 'redis', 0);
  const clusterIdle = find('redis', 'qrlogin', 3, 'redis', maxIdle);
  const floor0 = find('single', 'floor', 1, 'none', 0);
  const floorIdle = find('single', 'floor', 1, 'none', maxIdle);
  // The embedded store against the memory server measured beside it (part `embedded`).
  const embeddedPush = ratio(find('embedded', 'qrlogin', 1, 'embedded', 0)?.p50, find('embedded', 'qrlogin', 1, 'memory', 0)?.p50);
  const embeddedLogins = ratio(embeddedVsMemory?.embedded.loginsPerSecond, embeddedVsMemory?.memory.loginsPerSecond);
  // Metrics on against METRICS=off, measured side by side (part `metrics`).
  const metricsPush = ratio(metricsCost?.push.on.p50, metricsCost?.push.off.p50);
  const metricsLogins = ratio(metricsCost?.on.loginsPerSecond, metricsCost?.off.loginsPerSecond);
  // The target holds at every level, so the worst reading counts.
  const perThousand = capacity.qrlogin.readings.length ? Math.max(...capacity.qrlogin.readings.map((r) => r.mbPer1000)) : Number.NaN;
  const ours10 = throughput.qrlogin.find((r) => r.concurrency === 10);
  const peer10 = throughput.oidcDevice.find((r) => r.concurrency === 10);
  const fresh10 = throughput.oidcDeviceFresh.find((r) => r.concurrency === 10);
  const image10 = throughput.qrloginImage.find((r) => r.concurrency === 10);
  const imageLogins = ratio(image10?.loginsPerSecond, peer10?.loginsPerSecond);
  const check = (name: string, value: number, goal: string, met: boolean) => ({ name, value: round(value, 2), goal, met });
  const loginsRatio = ratio(ours10?.loginsPerSecond, peer10?.loginsPerSecond);
  const cpuRatio = ratio(ours10?.serverCpuMsPerLogin, peer10?.serverCpuMsPerLogin);
  return [
    check(`push p99, 1 instance, ${maxIdle} idle (ms)`, memoryIdle?.p99 ?? NaN, '≤ 5', (memoryIdle?.p99 ?? Infinity) <= 5),
    check(`push p99, 3 instances, ${maxIdle} idle (ms)`, clusterIdle?.p99 ?? NaN, '≤ 10', (clusterIdle?.p99 ?? Infinity) <= 10),
    check('push p50 ours/floor, 1 instance, 0 idle', ratio(memory0?.p50, floor0?.p50), '≤ 1.5', ratio(memory0?.p50, floor0?.p50) <= 1.5),
    check(
      `push p50 ours/floor, 1 instance, ${maxIdle} idle`,
      ratio(memoryIdle?.p50, floorIdle?.p50),
      '≤ 1.5',
      ratio(memoryIdle?.p50, floorIdle?.p50) <= 1.5,
    ),
    check('push p50 3 instances/floor, 0 idle', ratio(cluster0?.p50, floor0?.p50), '(reported)', true),
    check('polling p50 / push p50 (1 instance)', ratio(polling?.p50, memory0?.p50), '≥ 100', ratio(polling?.p50, memory0?.p50) >= 100),
    check(`MB per 1,000 waiting browsers, worst of ${settings.idleLevels.join('/')}`, perThousand, '≤ 20', perThousand <= 20),
    check('logins/s ours/oidc-provider (browser logged in) at c=10', loginsRatio, '≥ 3', loginsRatio >= 3),
    check('CPU ms/login ours/oidc-provider (browser logged in) at c=10', cpuRatio, '≤ 0.33', cpuRatio <= 1 / 3),
    check('logins/s ours/oidc-provider (logged in) at c=10, the image loaded', imageLogins, '> 1', imageLogins > 1),
    check(
      'CPU ms/login ours/oidc-provider (logged in) at c=10, the image loaded',
      ratio(image10?.serverCpuMsPerLogin, peer10?.serverCpuMsPerLogin),
      '(reported)',
      true,
    ),
    check(
      'logins/s ours/oidc-provider with fresh browsers at c=10',
      ratio(ours10?.loginsPerSecond, fresh10?.loginsPerSecond),
      '(reported)',
      true,
    ),
    check(
      'CPU ms/login ours/oidc-provider with fresh browsers at c=10',
      ratio(ours10?.serverCpuMsPerLogin, fresh10?.serverCpuMsPerLogin),
      '(reported)',
      true,
    ),
    check("embedded push p50 within 10 % of memory's (embedded/memory, interleaved)", embeddedPush, '≤ 1.10', embeddedPush <= 1.1),
    check(
      `embedded logins/s within 10 % of memory's (embedded/memory, c=${EMBEDDED_CONCURRENCY}, ABBA)`,
      embeddedLogins,
      '≥ 0.90',
      embeddedLogins >= 0.9,
    ),
    check('metrics push p50 within 5 % of METRICS=off (on/off, interleaved)', metricsPush, '≤ 1.05', metricsPush <= 1.05),
    check(
      `metrics logins/s within 5 % of METRICS=off (on/off, c=${METRICS_CONCURRENCY}, pairs, ABBA)`,
      metricsLogins,
      '≥ 0.95',
      metricsLogins >= 0.95,
    ),
  ];
}

export interface PartTiming {
  part: string;
  seconds: number;
  stealPercent: number;
}

const STORES = ['memory', 'embedded'] as const;
const storeRow = (store: (typeof STORES)[number], r: ThroughputResult) => [
  `qrlogin (1 instance, ${store === 'memory' ? 'memory, beside embedded' : 'embedded LMDB'}; ABBA windows)`,
  r.concurrency,
  r.logins,
  r.loginsPerSecond,
  r.serverCpuMsPerLogin,
  r.clientCpuMsPerLogin,
];

const SIDES = ['on', 'off'] as const;
const metricsRow = (side: (typeof SIDES)[number], r: ThroughputResult) => [
  `qrlogin (1 instance, memory, ${side === 'on' ? 'metrics on, scraped' : 'METRICS=off'}; pairs of processes, ABBA windows)`,
  r.concurrency,
  r.logins,
  r.loginsPerSecond,
  r.serverCpuMsPerLogin,
  r.clientCpuMsPerLogin,
];

const row = (r: LatencyRow) => [r.name, r.idleSockets, r.ms.n, r.ms.p50, r.ms.p95, r.ms.p99, r.ms.max];

/** Prints the tables BENCHMARKS.md quotes. */
export function printReport(
  results: BenchResults,
  settings: BenchSettings,
  maxIdle: number,
  host: Machine,
  parts: PartTiming[],
  checks: TargetCheck[],
): void {
  const { latency, polling, capacity, throughput, profile, embeddedVsMemory, metricsCost } = results;
  section(
    'Push latency: phone request sent → browser socket receives the push (ms)',
    table(
      ['setup', 'idle sockets', 'logins', 'p50', 'p95', 'p99', 'max'],
      [
        ...latency.map(row),
        [
          'polling fallback, GET check every 800 ms (1 instance, memory)',
          0,
          polling?.n ?? 0,
          polling?.p50 ?? NaN,
          polling?.p95 ?? NaN,
          polling?.p99 ?? NaN,
          polling?.max ?? NaN,
        ],
      ],
    ),
  );
  section(
    'Memory: server RSS with waiting browsers (MB; per 1,000 from the warmed-up baseline, and marginal from the previous level)',
    table(
      [
        'server',
        'baseline',
        ...settings.idleLevels.flatMap((n) => [`RSS at ${n}`, `per 1000 at ${n}`, `marginal to ${n}`]),
        `idle CPU % at ${maxIdle}`,
      ],
      (['qrlogin', 'floor'] as const).map((name) => [
        name === 'qrlogin' ? 'qrlogin (memory store)' : 'bare Socket.IO',
        capacity[name].baselineMb,
        ...capacity[name].readings.flatMap((r) => [r.rssMb, r.mbPer1000, r.marginalMbPer1000]),
        capacity[name].idleCpuPercent,
      ]),
    ),
  );
  const peer = `oidc-provider ${host.oidcProvider} device flow`;
  section(
    'Throughput: complete logins, closed loop',
    table(
      ['server', 'concurrency', 'logins', 'logins/s', 'server CPU ms/login', 'load generator CPU ms/login'],
      [
        ...throughput.qrlogin.map((r) => [
          'qrlogin (1 instance, memory)',
          r.concurrency,
          r.logins,
          r.loginsPerSecond,
          r.serverCpuMsPerLogin,
          r.clientCpuMsPerLogin,
        ]),
        ...throughput.qrloginImage.map((r) => [
          'qrlogin (1 instance, memory), the browser loads the QR image (Authing-style)',
          r.concurrency,
          r.logins,
          r.loginsPerSecond,
          r.serverCpuMsPerLogin,
          r.clientCpuMsPerLogin,
        ]),
        ...throughput.oidcDevice.map((r) => [
          `${peer}, browser logged in`,
          r.concurrency,
          r.logins,
          r.loginsPerSecond,
          r.serverCpuMsPerLogin,
          r.clientCpuMsPerLogin,
        ]),
        ...throughput.oidcDeviceFresh.map((r) => [
          `${peer}, fresh browser`,
          r.concurrency,
          r.logins,
          r.loginsPerSecond,
          r.serverCpuMsPerLogin,
          r.clientCpuMsPerLogin,
        ]),
        ...(embeddedVsMemory ? STORES.map((store) => storeRow(store, embeddedVsMemory[store])) : []),
        ...(metricsCost ? SIDES.map((side) => metricsRow(side, metricsCost[side])) : []),
      ],
    ),
  );
  if (profile) {
    section(
      `Profile: qrlogin at concurrency 10 (${profile.throughput.loginsPerSecond.toFixed(0)} logins/s; ${profile.file})`,
      `${table(
        ['area', 'ms', 'share %'],
        profile.summary.areas.slice(0, 12).map((a) => [a.area, a.ms, a.share * 100]),
      )}\n\n${table(
        ['function', 'area', 'self ms', 'share %'],
        profile.summary.functions.map((f) => [f.fn, f.area, f.ms, f.share * 100]),
      )}`,
    );
  }
  section(
    'Run conditions: CPU time the hypervisor took (steal) during each part; high steal inflates every figure',
    table(
      ['part', 'seconds', 'steal %'],
      parts.map((p) => [p.part, p.seconds, p.stealPercent]),
    ),
  );
  section(
    'Targets',
    table(
      ['measure', 'value', 'target', 'met'],
      checks.map((c) => [c.name, c.value, c.goal, c.met ? 'yes' : 'NO']),
    ),
  );
}
