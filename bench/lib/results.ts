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
  part: 'single' | 'redis' | 'embedded';
  name: string;
  target: 'floor' | 'qrlogin';
  instances: number;
  store: 'none' | 'memory' | 'embedded' | 'redis';
  idleSockets: number;
  ms: Summary;
}

export interface BenchResults {
  latency: LatencyRow[];
  capacity: Record<'floor' | 'qrlogin', CapacityResult>;
  /** oidcDevice: browsers that stay logged in at the provider; oidcDeviceFresh: a new browser per login. */
  throughput: Record<'qrlogin' | 'oidcDevice' | 'oidcDeviceFresh', ThroughputResult[]>;
  polling?: Summary;
  /** The embedded store beside memory, in the same windows (the part `embedded`). */
  embeddedVsMemory?: StoreThroughput;
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

export function emptyResults(): BenchResults {
  return {
    latency: [],
    capacity: {
      floor: { baselineMb: Number.NaN, readings: [], idleCpuPercent: Number.NaN },
      qrlogin: { baselineMb: Number.NaN, readings: [], idleCpuPercent: Number.NaN },
    },
    throughput: { qrlogin: [], oidcDevice: [], oidcDeviceFresh: [] },
  };
}

export const progress = (text: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
};

/** Adds a latency row from its samples, and says so. */
export function record(results: BenchResults, row: Omit<LatencyRow, 'ms'>, samples: number[]): void {
  const ms = summarize(samples);
  results.latency.push({ ...row, ms });
  progress(`${row.name}, ${row.idleSockets} idle: p50 ${ms.p50.toFixed(2)} p95 ${ms.p95.toFixed(2)} p99 ${ms.p99.toFixed(2)} ms (${ms.n})`);
}
