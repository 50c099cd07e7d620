/**
 * @module
 * Capacity: the server's resident memory as waiting browsers accumulate. The fleet (its own
 * process) grows to each level; after the server settles, its RSS is read from /proc. The
 * cost per 1,000 is (RSS at the level − RSS before any browser) ÷ (level ÷ 1,000).
 */
import type { FleetMode } from '../fleet';
import type { Fleet } from '../lib/fleet-control';
import { type BenchProcess, settle } from '../lib/processes';

export interface CapacityReading {
  sockets: number;
  rssMb: number;
  mbPer1000: number;
}

const MB = 1024 * 1024;

export async function capacityRamp(server: BenchProcess, fleet: Fleet, mode: FleetMode, urls: string[], levels: number[]): Promise<{ baselineMb: number; readings: CapacityReading[] }> {
  await settle(2000);
  const baseline = server.rssBytes();
  const readings: CapacityReading[] = [];
  for (const level of levels) {
    await fleet.grow(level, mode, urls);
    await settle(3000);
    const rss = server.rssBytes();
    readings.push({ sockets: level, rssMb: rss / MB, mbPer1000: (rss - baseline) / MB / (level / 1000) });
  }
  return { baselineMb: baseline / MB, readings };
}
