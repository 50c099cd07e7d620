/**
 * @module
 * The unit costs of the capacity model (./capacity-model.ts), taken from a scaling run: what a
 * login, a QR created, a QR expired, a waiting browser and an instance's background cost the
 * instances and Redis, for A (one Redis, classic adapter) and B (a Cluster, sharded adapter).
 */
import { clusterBusBytes, fanOutSplit } from './scaling-figures';
import type { DeploymentRun, ScalingRun } from './scaling-types';

/** What one unit costs, as measured (ms of CPU, bytes). */
export interface UnitCosts {
  /** Server CPU per login = serving + bystander × N (A: measured fan-out; B: likewise, on the Cluster). */
  loginServing: number;
  bystander: number;
  /** Redis (A: the one Redis; B: the masters) per login = redisCpu + redisCpuPerInstance × N; bytes likewise. */
  redisCpu: number;
  redisCpuPerInstance: number;
  netIn: number;
  netOut: number;
  netOutPerInstance: number;
  repl: number;
  bus: number;
  /** used_memory per login, held for QR lifetime + grace (masters only on a Cluster). */
  memory: number;
  creation: { serverCpu: number; redisCpu: number; bytes: number; repl: number };
  expiry: { serverCpu: number; redisCpu: number; bytes: number };
  waiting: { rss: number; memory: number; serverCpuPerS: number; bytesPerS: number };
  /** Per instance per second in the background: Redis commands (costed at redisCpuPerCommand) and bytes. */
  background: { commandsPerS: number; bytesPerS: number };
  redisCpuPerCommand: number;
  /** Redis CPU per QR on the slot of `qr-deadlines` (its ZADD and its ZREM): two commands at redisCpuPerCommand. */
  hotSlotCpuPerQr: number;
}

function fit(points: Array<[number, number]>): { intercept: number; slope: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}

const last = (d: DeploymentRun | undefined) => d?.logins.at(-1);
const nonNegative = (value: number) => Math.max(0, value);

/**
 * A's unit costs. On two cores a login's CPU grows with the processes sharing them: with more
 * instances each waits longer for a core and wakes for fewer events at a time (the run's
 * scheduling table). So the per-login and per-QR costs come from `ref`, one instance serving the
 * whole login (busy at about 90 % of a core, the least disturbed, as an instance on a core of its
 * own at the planned 60 % would be); the push fan-out, which one instance cannot show, from the
 * six-instance window (each bystander's CPU per login beyond its background); Redis's cost per
 * extra instance from PUBLISH's time per login fitted over N; output bytes fitted over N (exact:
 * one delivery per instance per push). RSS and heartbeat CPU per socket from `ref` too (every
 * waiting browser on one instance; with several, each holds too few for RSS to move steadily).
 */
export function costsA(run: ScalingRun, curve: DeploymentRun[], ref: DeploymentRun): UnitCosts {
  const l = last(ref);
  if (!l) throw new Error('no login window');
  const six = curve.find((d) => d.fanOut)?.fanOut;
  const bystander = six ? nonNegative(fanOutSplit(six).bystander) : 0;
  const publish = fit(curve.map((d) => [d.instances, (last(d)?.redis.usecByCommand.publish ?? 0) / 1000]));
  const out = fit(curve.map((d) => [d.instances, last(d)?.redis.netOut ?? 0]));
  const n = ref.instances;
  const w = ref.waiting;
  const e = run.expiry;
  const redisCpuPerCommand = l.redis.cpuMs / Math.max(1, l.redis.commands);
  return {
    loginServing: l.serverCpuMsPerLogin - bystander * n,
    bystander,
    redisCpu: l.redis.cpuMs - nonNegative(publish.slope) * n,
    redisCpuPerInstance: nonNegative(publish.slope),
    netIn: l.redis.netIn,
    netOut: out.intercept,
    netOutPerInstance: out.slope,
    repl: 0,
    bus: 0,
    memory: l.redisMemoryPerLogin,
    creation: {
      serverCpu: w.perCreation.serverCpuMs,
      redisCpu: w.perCreation.redis.cpuMs,
      bytes: clientIn(w.perCreation.redis) + clientOut(w.perCreation.redis),
      repl: 0,
    },
    expiry: { serverCpu: e.serverCpuMs, redisCpu: nonNegative(e.redis.cpuMs), bytes: e.redis.netIn + e.redis.netOut },
    waiting: {
      rss: (w.rssMbPer1000 * 1024 ** 2) / 1000,
      memory: w.redisBytesPerQr,
      serverCpuPerS: nonNegative(w.idleServerCpuPercentPer1000) / 100,
      bytesPerS: nonNegative(w.idlePerBrowserPerMinute.bytes) / 60,
    },
    background: { commandsPerS: ref.background.commandsPerMinute / 60, bytesPerS: ref.background.bytesPerMinute / 60 },
    redisCpuPerCommand,
    hotSlotCpuPerQr: 2 * redisCpuPerCommand,
  };
}

/** How much more the Cluster costs than the standalone Redis, per login and per QR created, at a like sharing of the cores. */
export interface ClusterRatios {
  instances: number;
  masters: number;
  creationInstances: number;
  creationRedis: number;
}

/**
 * The Cluster (three instances, six Redis processes) against the standalone deployment that shares
 * the two cores among as many processes (`like`: six instances and one Redis), its fan-out taken
 * out (the Cluster's sharded adapter has none). A ratio under 1 is taken as 1: the Cluster is not
 * assumed cheaper than it measured.
 */
export function clusterRatios(cluster: DeploymentRun, like: DeploymentRun, a: UnitCosts): ClusterRatios {
  const l = last(cluster);
  const m = cluster.loginsByRole?.masters.at(-1);
  const s = last(like);
  if (!l || !m || !s) throw new Error('no login window');
  const atLeastOne = (value: number) => Math.max(1, value);
  return {
    instances: atLeastOne(l.serverCpuMsPerLogin / (s.serverCpuMsPerLogin - a.bystander * like.instances)),
    masters: atLeastOne(m.redis.cpuMs / s.redis.cpuMs),
    creationInstances: atLeastOne(cluster.waiting.perCreation.serverCpuMs / like.waiting.perCreation.serverCpuMs),
    creationRedis: atLeastOne(cluster.waiting.perCreation.redis.cpuMs / like.waiting.perCreation.redis.cpuMs),
  };
}

/**
 * Redis 7.0 counts replication in total_net_input/output_bytes too: a replica's input is the
 * master's replication output, and a master's output includes it (its writes fall short of
 * output + replication otherwise). Client bytes are the totals less replication once each way;
 * the bus is what the nodes wrote beyond their output (`busBytes` took replication off twice).
 * With no replica (one Redis) replication is 0 and nothing changes.
 */
const clientIn = (d: { netIn: number; replOut: number }) => nonNegative(d.netIn - d.replOut);
const clientOut = (d: { netOut: number; replOut: number }) => nonNegative(d.netOut - d.replOut);

/**
 * B's unit costs: A's CPU figures times the Cluster's ratios (./clusterRatios), with the sharded
 * adapter's fan-out (from the Cluster's six-instance window); commands, bytes, replication, bus
 * and memory (masters) the Cluster's own.
 */
export function costsB(run: ScalingRun, cluster: DeploymentRun, a: UnitCosts, r: ClusterRatios): UnitCosts {
  const l = last(cluster);
  const m = cluster.loginsByRole?.masters.at(-1);
  if (!l || !m) throw new Error('no login window');
  // A bystander that was sent no push (read under 50 B per login beyond its background) spends
  // nothing on logins: what CPU it shows then is its timers' noise, not a cost that grows with N.
  const split = run.clusterFanOut ? fanOutSplit(run.clusterFanOut) : undefined;
  const sentNothing = split !== undefined && split.bystanderReadBytes < 50;
  const bystander = split && !sentNothing ? nonNegative(split.bystander) : 0;
  const redisCpu = (a.redisCpu + a.redisCpuPerInstance) * r.masters;
  const w = cluster.waiting;
  return {
    ...a,
    loginServing: (a.loginServing + a.bystander) * r.instances,
    bystander,
    redisCpu,
    redisCpuPerInstance: 0,
    netIn: clientIn(l.redis),
    netOut: clientOut(l.redis),
    netOutPerInstance: 0,
    repl: l.redis.replOut,
    bus: nonNegative(clusterBusBytes(l.redis)),
    memory: m.redisMemoryPerLogin,
    creation: {
      serverCpu: a.creation.serverCpu * r.creationInstances,
      redisCpu: a.creation.redisCpu * r.creationRedis,
      bytes: clientIn(w.perCreation.redis) + clientOut(w.perCreation.redis),
      repl: w.perCreation.redis.replOut,
    },
    waiting: { ...a.waiting, memory: w.redisBytesPerQrMasters, bytesPerS: nonNegative(w.idlePerBrowserPerMinute.bytes) / 60 },
    background: { commandsPerS: cluster.background.commandsPerMinute / 60, bytesPerS: cluster.background.bytesPerMinute / 60 },
    redisCpuPerCommand: redisCpu / Math.max(1, m.redis.commands),
    hotSlotCpuPerQr: (2 * redisCpu) / Math.max(1, m.redis.commands),
  };
}
