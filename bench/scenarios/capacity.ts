/**
 * @module
 * Capacity: the server's resident memory as waiting browsers accumulate. The server is warmed
 * up first (1,000 browsers connect, wait and leave), so that one-off growth (compiled code, heap
 * and buffer pools) is not charged to the browsers; the baseline is read after that. The fleet
 * (its own process) then grows to each level; after the server settles (3 s; 1 s in a quick
 * run), its RSS is read from /proc. Per 1,000: (RSS at the level − baseline) ÷ (level ÷ 1,000); and between levels, the
 * marginal cost of the next thousand. Each level's growth is timed too: the wall seconds the
 * fleet takes to open that level's new browsers (64 opening at once), each in the fleet's mode
 * (bench/fleet.ts: with the image loaded or not).
 */
import type { FleetMode } from '../fleet';
import type { Fleet } from '../lib/fleet-control';
import { type BenchProcess, settle } from '../lib/processes';

export interface CapacityReading {
  sockets: number;
  rssMb: number;
  mbPer1000: number;
  /** Per 1,000 from the previous level to this one. */
  marginalMbPer1000: number;
  /** Wall seconds to open this level's new browsers (from the previous level to this one). */
  openSeconds: number;
}

const MB = 1024 * 1024;
const WARM_UP = 1000;

export interface CapacityResult {
  baselineMb: number;
  readings: CapacityReading[];
  /** Wall seconds to open every browser of the last level (the levels' openSeconds added up). */
  openSeconds: number;
  /** Server CPU while the last level's browsers just wait (heartbeats), % of one core. */
  idleCpuPercent: number;
}

export async function capacityRamp(
  server: BenchProcess,
  fleet: Fleet,
  mode: FleetMode,
  urls: string[],
  levels: number[],
  idleWindowMs: number,
  settleMs = 3000,
): Promise<CapacityResult> {
  await fleet.grow(WARM_UP, mode, urls);
  await fleet.closeAll();
  await settle(settleMs);
  const baseline = server.rssBytes();
  const readings: CapacityReading[] = [];
  let previous = { sockets: 0, rss: baseline };
  for (const level of levels) {
    const started = process.hrtime.bigint();
    await fleet.grow(level, mode, urls);
    const openSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    await settle(settleMs);
    const rss = server.rssBytes();
    readings.push({
      sockets: level,
      rssMb: rss / MB,
      mbPer1000: (rss - baseline) / MB / (level / 1000),
      marginalMbPer1000: (rss - previous.rss) / MB / ((level - previous.sockets) / 1000),
      openSeconds,
    });
    previous = { sockets: level, rss };
  }
  const cpuBefore = server.cpuMs();
  await settle(idleWindowMs);
  const idleCpuPercent = ((server.cpuMs() - cpuBefore) / idleWindowMs) * 100;
  const openSeconds = readings.reduce((total, reading) => total + reading.openSeconds, 0);
  return { baselineMb: baseline / MB, readings, openSeconds, idleCpuPercent };
}
