/**
 * @module
 * Capacity: the server's resident memory as waiting browsers accumulate. The server is warmed
 * up first (1,000 browsers connect, wait and leave), so that one-off growth (compiled code, heap
 * and buffer pools) is not charged to the browsers; the baseline is read after that. The fleet
 * (its own process) then grows to each level; after the server settles, its RSS is read from
 * /proc. Per 1,000: (RSS at the level − baseline) ÷ (level ÷ 1,000); and between levels, the
 * marginal cost of the next thousand.
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
}

const MB = 1024 * 1024;
const WARM_UP = 1000;

export interface CapacityResult {
  baselineMb: number;
  readings: CapacityReading[];
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
): Promise<CapacityResult> {
  await fleet.grow(WARM_UP, mode, urls);
  await fleet.closeAll();
  await settle(3000);
  const baseline = server.rssBytes();
  const readings: CapacityReading[] = [];
  let previous = { sockets: 0, rss: baseline };
  for (const level of levels) {
    await fleet.grow(level, mode, urls);
    await settle(3000);
    const rss = server.rssBytes();
    readings.push({
      sockets: level,
      rssMb: rss / MB,
      mbPer1000: (rss - baseline) / MB / (level / 1000),
      marginalMbPer1000: (rss - previous.rss) / MB / ((level - previous.sockets) / 1000),
    });
    previous = { sockets: level, rss };
  }
  const cpuBefore = server.cpuMs();
  await settle(idleWindowMs);
  const idleCpuPercent = ((server.cpuMs() - cpuBefore) / idleWindowMs) * 100;
  return { baselineMb: baseline / MB, readings, idleCpuPercent };
}
