/**
 * @module
 * What a bench run measures, filled in part by part, and the progress lines it prints.
 */
import type { ProfileSummary } from './cpuprofile';
import { type Summary, summarize } from './stats';
import type { CapacityResult } from '../scenarios/capacity';
import type { ThroughputResult } from '../scenarios/throughput';

export interface LatencyRow {
  /** The part that measured it: the same setup may be measured in two parts, each against its own neighbour. */
  part: 'single' | 'redis' | 'embedded' | 'metrics';
  name: string;
  target: 'floor' | 'qrlogin';
  instances: number;
  store: 'none' | 'memory' | 'embedded' | 'redis';
  idleSockets: number;
  ms: Summary;
}

/** In the tables' order: each of ours above the floor's with the same wire steps. */
export const CAPACITY_VARIANTS = ['qrlogin', 'floor', 'qrloginImage', 'floorImage'] as const;
export type CapacityVariant = (typeof CAPACITY_VARIANTS)[number];
export const THROUGHPUT_SYSTEMS = ['qrlogin', 'qrloginImage', 'floor', 'floorImage', 'oidcDevice', 'oidcDeviceFresh'] as const;
export type ThroughputSystem = (typeof THROUGHPUT_SYSTEMS)[number];

export interface BenchResults {
  latency: LatencyRow[];
  /**
   * Waiting browsers. qrlogin: opened as the widget does (`qr:create`); floor: a socket in a
   * room. The Image variants open as an Authing-style client does: gene, the QR image, a
   * socket with `qr:subscribe` (on the floor: its `/gene`, `/qr.png` and `qr:subscribe`).
   */
  capacity: Record<CapacityVariant, CapacityResult>;
  /**
   * qrlogin: the widget's login; qrloginImage: the browser also loads the QR image (an
   * Authing-style client); floor, floorImage: the same wire steps on the bare floor;
   * oidcDevice: browsers that stay logged in at the provider; oidcDeviceFresh: a new browser per
   * login.
   */
  throughput: Record<ThroughputSystem, ThroughputResult[]>;
  polling?: Summary;
  /** The embedded store beside memory, in the same windows (the part `embedded`). */
  embeddedVsMemory?: StoreThroughput;
  /** qrlogin with metrics on beside metrics off (the part `metrics`). */
  metricsCost?: MetricsCost;
  profile?: { file: string; summary: ProfileSummary; throughput: ThroughputResult };
}

/** The concurrency of the embedded/memory throughput comparison (the one its target is checked at). */
export const EMBEDDED_CONCURRENCY = 10;

/** Throughput of two servers, one per store, measured in alternating windows. */
export interface StoreThroughput {
  /** Each window as measured, in order: memory, embedded, embedded, memory. */
  windows: (ThroughputResult & { store: 'memory' | 'embedded' })[];
  /** The windows of each store added up. */
  memory: ThroughputResult;
  embedded: ThroughputResult;
}

/** The concurrency of the metrics on/off throughput comparison. */
export const METRICS_CONCURRENCY = 10;

/** Metrics on against off: push latency in alternating blocks, throughput in ABBA windows. */
export interface MetricsCost {
  push: Record<'on' | 'off', Summary>;
  /** Each window as measured, pair by pair: on, off, off, on, then off, on, on, off, … */
  windows: (ThroughputResult & { metrics: 'on' | 'off' })[];
  on: ThroughputResult;
  off: ThroughputResult;
  /** `/metrics` scrapes of the metrics-on server during the part, and how often. */
  scrapes: number;
  scrapeEveryMs: number;
  /** Pairs of processes the samples and windows were pooled from. */
  pairs: number;
}

const noCapacity = (): CapacityResult => ({ baselineMb: Number.NaN, readings: [], openSeconds: Number.NaN, idleCpuPercent: Number.NaN });

export function emptyResults(): BenchResults {
  return {
    latency: [],
    capacity: { qrlogin: noCapacity(), qrloginImage: noCapacity(), floor: noCapacity(), floorImage: noCapacity() },
    throughput: { qrlogin: [], qrloginImage: [], floor: [], floorImage: [], oidcDevice: [], oidcDeviceFresh: [] },
  };
}

export const progress = (text: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
};

/** Adds a latency row from its samples, says so, and returns its summary. */
export function record(results: BenchResults, row: Omit<LatencyRow, 'ms'>, samples: number[]): Summary {
  const ms = summarize(samples);
  results.latency.push({ ...row, ms });
  progress(`${row.name}, ${row.idleSockets} idle: p50 ${ms.p50.toFixed(3)} p95 ${ms.p95.toFixed(2)} p99 ${ms.p99.toFixed(2)} ms (${ms.n})`);
  return ms;
}
