/**
 * @module
 * The faults of a soak, on the steady phase's clock: at `killAt` the instance holding the most
 * sockets is SIGKILLed and started again `restartAfterMs` later on the same port (the storm is
 * tracked until every moved browser is subscribed again, or `stormBoundMs`); at `redisFaultAt`
 * the Redis under test gets its fault. Afterwards: the 503s clients saw around the Redis fault
 * (first to last), and how many came at any other time.
 */
import type { Browser } from './browsers';
import type { Recorder } from './recorder';
import type { FaultRecord } from './redis-under-test';
import type { StormTracker } from './storm';
import type { Topology } from './topology';

export interface FaultPlan {
  /** From the start of the steady phase, ms. */
  killAtMs: number;
  restartAfterMs: number;
  stormBoundMs: number;
  redisFaultAtMs: number;
}

export interface KillRecord {
  instance: number;
  /** When, ms from the start of the steady phase. */
  atMs: number;
  /** Restart to ready (its `/readyz` 200), ms. */
  startMs: number;
}

export interface RedisFaultRecord extends FaultRecord {
  kind: string;
  atMs: number;
}

export interface UnavailableWindow {
  /** 503s from the Redis fault on (until 30 s after it ended). */
  count: number;
  /** First and last of them, ms after the fault began; null when none. */
  firstMs: number | null;
  lastMs: number | null;
  /** last − first: how long clients were answered 503. */
  observedMs: number;
  /** 503s at any other time (the instance kill must cause none). */
  elsewhere: number;
  /** All 503s by the instance that answered: count, first and last (ms after the fault began). */
  byInstance: Record<string, { count: number; firstMs: number; lastMs: number }>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

export async function runFaults(
  plan: FaultPlan,
  ctx: {
    topology: Topology;
    storm: StormTracker;
    steadyStart: number;
    isWaiting: (browser: Browser) => boolean;
    /** A QR in use (a cluster fault kills the shard serving it). */
    someRandom: () => string | null;
    log: (line: string) => void;
  },
): Promise<{ kill: KillRecord; redis: RedisFaultRecord }> {
  const { topology, storm, steadyStart, log } = ctx;
  await sleepUntil(steadyStart + plan.killAtMs);
  const counts = await Promise.all(topology.instances.all.map((instance) => topology.socketsOf(instance.index)));
  const victim = counts.indexOf(Math.max(...counts));
  const instance = topology.instances.at(victim);
  log(`kill -9 instance ${victim} (:${instance.port}) holding ${counts[victim]} of ${counts.join('/')} sockets`);
  storm.begin(victim, counts[victim] ?? 0, ctx.isWaiting);
  const killedAt = Date.now();
  await instance.kill9();
  const stormOver = (async () => {
    while (!storm.done() && Date.now() - killedAt < plan.stormBoundMs) await sleep(50);
    storm.end();
    log(`storm over after ${Date.now() - killedAt} ms (${storm.done() ? 'every moved browser subscribed again' : 'bound reached'})`);
  })();
  await sleepUntil(killedAt + plan.restartAfterMs);
  const restarting = Date.now();
  await instance.start();
  storm.restarted();
  const kill: KillRecord = { instance: victim, atMs: killedAt - steadyStart, startMs: Date.now() - restarting };
  log(`instance ${victim} ready again ${Date.now() - killedAt} ms after the kill`);

  await sleepUntil(steadyStart + plan.redisFaultAtMs);
  const faultAt = Date.now();
  log(`redis fault (${topology.redis.kind})`);
  const fault = await topology.redis.fault(ctx.someRandom());
  log(`redis back: ${fault.what}, down ${fault.downMs} ms`);
  await stormOver;
  return { kill, redis: { ...fault, kind: topology.redis.kind, atMs: faultAt - steadyStart } };
}

/** The recorder's 503s around a fault that began at `faultAt` and lasted `downMs`; instances named by `nameOf`. */
export function unavailableWindow(
  recorder: Recorder,
  faultAt: number,
  downMs: number,
  nameOf: (upstream: string) => string,
): UnavailableWindow {
  const { unavailableAt } = recorder;
  const end = faultAt + downMs + 30_000;
  const inside = unavailableAt.filter((at) => at >= faultAt && at <= end).sort((a, b) => a - b);
  const first = inside[0];
  const last = inside[inside.length - 1];
  return {
    count: inside.length,
    firstMs: first === undefined ? null : first - faultAt,
    lastMs: last === undefined ? null : last - faultAt,
    observedMs: first === undefined || last === undefined ? 0 : last - first,
    elsewhere: unavailableAt.length - inside.length,
    byInstance: Object.fromEntries(
      [...recorder.unavailableBy].map(([upstream, seen]) => [
        nameOf(upstream),
        { count: seen.count, firstMs: seen.first - faultAt, lastMs: seen.last - faultAt },
      ]),
    ),
  };
}
