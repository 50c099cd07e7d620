/**
 * @module
 * What waiting browsers cost a deployment (./scaling-load.ts), opened by the idle fleet
 * (bench/fleet.ts) as the widget opens a page's first QR (HTTP `gene`, a socket,
 * `qr:subscribe`), spread over the instances:
 * - `background`: the deployment with no browser at all, for the instances' own Redis traffic
 *   (connection pings, the expiry sweep's poll, the key set's reload, a Cluster's slot checks);
 * - `waitingBrowsers`: a warm-up (a quarter of them open and leave, as bench/scenarios/capacity.ts
 *   does), then the Redis work of opening them (per QR creation), the instances' RSS and Redis
 *   `used_memory` once they have settled, and an idle window with them held;
 * - `expiries`: QRs left to expire (a short QR_TTL_SECONDS), for the expiry sweep's Redis work
 *   per QR, which every QR costs once its deadline has passed, logged in or not.
 */
import { createClient } from 'redis';
import type { Fleet } from './fleet-control';
import { settle } from './processes';
import { type Deployment, type Interval, between, mark } from './scaling-load';

export const background = async (dep: Deployment, ms: number): Promise<Interval> => {
  const a = await mark(dep);
  await settle(ms);
  return between(a, await mark(dep));
};

export interface WaitingReading {
  browsers: number;
  openSeconds: number;
  /** From before the fleet opens them to after it has: what creating them cost. */
  creation: Interval;
  /** From before they open to after they settled: RSS and used_memory they hold. */
  held: Interval;
  /** The idle window with every browser held. */
  idle: Interval;
}

export async function waitingBrowsers(
  dep: Deployment,
  fleet: Fleet,
  count: number,
  settleMs: number,
  idleMs: number,
): Promise<WaitingReading> {
  await fleet.grow(Math.ceil(count / 4), 'qrlogin-widget', dep.urls);
  await fleet.closeAll();
  await settle(settleMs);
  const before = await mark(dep);
  const started = process.hrtime.bigint();
  await fleet.grow(count, 'qrlogin-widget', dep.urls);
  const openSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const opened = await mark(dep);
  await settle(settleMs);
  const settled = await mark(dep);
  await settle(idleMs);
  const idle = between(settled, await mark(dep));
  await fleet.closeAll();
  return { browsers: count, openSeconds, creation: between(before, opened), held: between(before, settled), idle };
}

export interface ExpiryReading {
  qrs: number;
  ttlSeconds: number;
  openSeconds: number;
  /** From after they opened until every deadline was taken by the sweep. */
  sweep: Interval;
  /** Deadlines left in `qr-deadlines` at the end (0: every QR was swept). */
  unswept: number;
  /** The ZCARDs that asked (in the interval's Redis figures; taken out per QR by the report). */
  polls: number;
}

/**
 * `count` waiting browsers on QRs of `ttlSeconds` (the instances run with that QR_TTL_SECONDS):
 * the interval runs from when they are open until the sweep has taken every deadline (it takes
 * a QR 5 s after its deadline), polled every 500 ms for at most `ttlSeconds` + 20 s.
 */
export async function expiries(
  dep: Deployment,
  fleet: Fleet,
  count: number,
  ttlSeconds: number,
  redisPort: number,
  prefix: string,
): Promise<ExpiryReading> {
  const client = createClient({ socket: { host: '127.0.0.1', port: redisPort } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const pending = async () => Number(await client.zCard(`${prefix}qr-deadlines`));
    const started = process.hrtime.bigint();
    await fleet.grow(count, 'qrlogin-widget', dep.urls);
    const openSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const opened = await mark(dep);
    const deadline = Date.now() + (ttlSeconds + 20) * 1000;
    let polls = 1;
    let unswept = await pending();
    while (unswept > 0 && Date.now() < deadline) {
      await settle(500);
      unswept = await pending();
      polls += 1;
    }
    // The last batch's reads finish just after its take.
    await settle(1500);
    const sweep = between(opened, await mark(dep));
    await fleet.closeAll();
    return { qrs: count, ttlSeconds, openSeconds, sweep, unswept, polls };
  } finally {
    await client.close();
  }
}
