/**
 * @module
 * The end of a bench run: the machine it ran on and the Markdown tables printed (the targets
 * checked against the results are ./goals.ts).
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createClient } from 'redis';
import type { TargetCheck } from './goals';
import type { BenchSettings } from './options';
import { openFilesLimit } from './processes';
import { section, table } from './report';
import { type BenchResults, CAPACITY_VARIANTS, type CapacityVariant, type LatencyRow, type ThroughputSystem } from './results';
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

export interface PartTiming {
  part: string;
  seconds: number;
  stealPercent: number;
}

const CAPACITY_NAMES: Record<CapacityVariant, string> = {
  qrlogin: 'qrlogin (memory store): socket, qr:create (the state the widget reaches with gene, then qr:subscribe)',
  qrloginImage: 'qrlogin (memory store), the image loaded: gene, GET /qr.png, socket, qr:subscribe',
  floor: 'bare Socket.IO, a socket in a room',
  floorImage: 'floor, the image loaded: POST /gene, GET /qr.png (from memory), socket, subscribe',
};

/** The throughput table's rows, in order: ours, the floor beneath each variant, the peer. */
const THROUGHPUT_ROWS: ThroughputSystem[] = ['qrlogin', 'floor', 'qrloginImage', 'floorImage', 'oidcDevice', 'oidcDeviceFresh'];
const throughputName = (system: ThroughputSystem, peer: string): string =>
  ({
    qrlogin: 'qrlogin (1 instance, memory), the widget: gene, socket, qr:subscribe',
    floor: "floor (bare Socket.IO + node:http), the widget's wire steps",
    qrloginImage: 'qrlogin (1 instance, memory), the browser loads the QR image (Authing-style)',
    floorImage: "floor (bare Socket.IO + node:http), the image's wire steps (image from memory)",
    oidcDevice: `${peer}, browser logged in`,
    oidcDeviceFresh: `${peer}, fresh browser`,
  })[system];
const throughputRow = (name: string, r: ThroughputResult) => [
  name,
  r.concurrency,
  r.logins,
  r.loginsPerSecond,
  r.serverCpuMsPerLogin,
  r.clientCpuMsPerLogin,
];

const STORES = ['memory', 'embedded'] as const;
const storeRow = (store: (typeof STORES)[number], r: ThroughputResult) =>
  throughputRow(`qrlogin (1 instance, ${store === 'memory' ? 'memory, beside embedded' : 'embedded LMDB'}; ABBA windows)`, r);

const SIDES = ['on', 'off'] as const;
const metricsRow = (side: (typeof SIDES)[number], r: ThroughputResult) =>
  throughputRow(
    `qrlogin (1 instance, memory, ${side === 'on' ? 'metrics on, scraped' : 'METRICS=off'}; pairs of processes, ABBA windows)`,
    r,
  );

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
    'Memory: server RSS with waiting browsers (MB; per 1,000 from the warmed-up baseline, and marginal from the previous level), and the wall seconds to open them',
    table(
      [
        'server, how a browser opens',
        'baseline',
        ...settings.idleLevels.flatMap((n) => [`RSS at ${n}`, `per 1000 at ${n}`, `marginal to ${n}`, `open s to ${n}`]),
        `open s, all ${maxIdle}`,
        `idle CPU % at ${maxIdle}`,
      ],
      CAPACITY_VARIANTS.filter((variant) => capacity[variant].readings.length > 0).map((variant) => [
        CAPACITY_NAMES[variant],
        capacity[variant].baselineMb,
        ...capacity[variant].readings.flatMap((r) => [r.rssMb, r.mbPer1000, r.marginalMbPer1000, r.openSeconds]),
        capacity[variant].openSeconds,
        capacity[variant].idleCpuPercent,
      ]),
    ),
  );
  const peer = `oidc-provider ${host.oidcProvider} device flow`;
  section(
    'Throughput: complete logins, closed loop',
    table(
      ['server', 'concurrency', 'logins', 'logins/s', 'server CPU ms/login', 'load generator CPU ms/login'],
      [
        ...THROUGHPUT_ROWS.flatMap((system) => throughput[system].map((r) => throughputRow(throughputName(system, peer), r))),
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
