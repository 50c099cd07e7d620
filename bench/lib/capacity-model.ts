/**
 * @module
 * The capacity model of BENCHMARKS.md, computed from a scaling run's per-unit figures and the
 * stated ASSUMPTIONS, so that anyone can redo it from the run file. For W waiting browsers and
 * L logins/s, two deployments:
 * - A, one Redis with the classic adapter (qrlogin's default on REDIS_URL): every push reaches
 *   every instance, so a login's instance CPU and Redis work grow with the instances N (the
 *   measured fan-out and the fitted Redis curve); instances solve N × budget ≥ demand(N);
 * - B, a Redis Cluster with the sharded adapter (REDIS_CLUSTER_NODES): a push reaches the
 *   instance holding the browser only, per-login costs as measured at three instances; shards by
 *   the masters' CPU, by memory, and the one slot every QR touches (`qr-deadlines`).
 * QR churn: each waiting browser shows one new QR per QR lifetime (W / 120 per second), and
 * every QR, logged in or not, is swept once after its deadline.
 */
import { table } from './report';
import { type ClusterRatios, type UnitCosts, clusterRatios, costsA, costsB } from './capacity-costs';
import type { DeploymentRun, ScalingRun } from './scaling-types';
import { round } from './stats';

export const ASSUMPTIONS = {
  /** An instance is one Node process on one core, planned at this share of it. */
  instanceUtilisation: 0.6,
  /** RSS an instance may give to sockets (MB), and sockets per instance (open files, balancer). */
  instanceRssBudgetMb: 1500,
  socketsPerInstance: 50_000,
  /** Each waiting browser shows a new QR once per QR lifetime (the default 120 s). */
  qrTtlSeconds: 120,
  /** A QR is kept this long after its deadline (RETENTION_GRACE_MS), a logged-in one too. */
  graceSeconds: 300,
  /** A Redis master (a shard, or the one Redis) is one core, planned at this share; and its memory. */
  redisUtilisation: 0.6,
  shardMemoryGb: 8,
};

export interface Projection {
  waiting: number;
  loginsPerSecond: number;
  qrsPerSecond: number;
  deployment: 'A' | 'B';
  instances: { byCpu: number; byMemory: number; bySockets: number; needed: number; binds: string; serverCores: number };
  /** Redis CPU in % of one core: the one Redis (A), all masters together (B). */
  redisCpuPercent: number;
  /** A: the logins/s the one Redis carries at its planned share with these waiting browsers (B: NaN). */
  redisLoginCeiling: number;
  shards: { byCpu: number; byMemory: number; needed: number; hotSlotCpuPercent: number };
  redisMemoryGb: number;
  network: { clientMBps: number; replicationMBps: number; busMBps: number };
  bindsFirst: string;
}

function project(a: typeof ASSUMPTIONS, c: UnitCosts, deployment: 'A' | 'B', waiting: number, logins: number): Projection {
  const q = waiting / a.qrTtlSeconds;
  const serverMsPerS = (n: number) =>
    logins * (c.loginServing + c.bystander * n + c.expiry.serverCpu) +
    q * (c.creation.serverCpu + c.expiry.serverCpu) +
    waiting * c.waiting.serverCpuPerS;
  const budget = 1000 * a.instanceUtilisation;
  // Each instance spends logins × bystander on pushes for others, whatever N: past the budget, no N will do.
  const feasible = logins * c.bystander < budget;
  let byCpu = 1;
  while (feasible && byCpu < 100_000 && byCpu * budget < serverMsPerS(byCpu)) byCpu += 1;
  if (!feasible) byCpu = Number.POSITIVE_INFINITY;
  const byMemory = Math.ceil((waiting * c.waiting.rss) / (a.instanceRssBudgetMb * 1024 ** 2));
  const bySockets = Math.ceil(waiting / a.socketsPerInstance);
  const n = Math.max(byCpu, byMemory, bySockets);
  const instanceBinds = n === byCpu ? 'instance CPU' : n === byMemory ? 'instance memory' : 'sockets per instance';
  // Redis's load hardly depends on N (PUBLISH's share and background pings): with no feasible N,
  // it is computed at the least N memory and sockets need, a lower bound.
  const nRedis = Number.isFinite(n) ? n : Math.max(1, byMemory, bySockets);
  const redisFixed = q * (c.creation.redisCpu + c.expiry.redisCpu) + nRedis * c.background.commandsPerS * c.redisCpuPerCommand;
  const redisPerLogin = c.redisCpu + c.redisCpuPerInstance * nRedis + c.expiry.redisCpu;
  const redisMsPerS = logins * redisPerLogin + redisFixed;
  const memory = waiting * c.waiting.memory + logins * c.memory * (a.qrTtlSeconds + a.graceSeconds) + q * a.graceSeconds * c.waiting.memory;
  const shardBudget = 1000 * a.redisUtilisation;
  const shardsByMemory = Math.ceil(memory / (a.shardMemoryGb * 1024 ** 3));
  const hotSlotMs = (q + logins) * c.hotSlotCpuPerQr;
  const hotSlotCpuPercent = (hotSlotMs * 100) / 1000;
  // The master holding `qr-deadlines` carries that slot's work besides its share of the rest:
  // (R − H) ÷ S + H ≤ its budget. Past the budget the slot alone binds (no S will do).
  const shardsForHotSlot =
    hotSlotMs < shardBudget ? Math.ceil((redisMsPerS - hotSlotMs) / (shardBudget - hotSlotMs)) : Number.POSITIVE_INFINITY;
  const shardsByCpu = Math.max(Math.ceil(redisMsPerS / shardBudget), shardsForHotSlot);
  const shards = deployment === 'A' ? 1 : Math.max(3, shardsByCpu, shardsByMemory);
  const hotSlotSetsShards = deployment === 'B' && shardsForHotSlot > Math.ceil(redisMsPerS / shardBudget) && shards === shardsForHotSlot;
  // A: the logins/s its one Redis carries at its planned share, with these waiting browsers.
  const redisLoginCeiling = deployment === 'A' ? Math.max(0, Math.floor((shardBudget - redisFixed) / redisPerLogin)) : Number.NaN;
  const redisFits = deployment === 'B' || redisMsPerS <= shardBudget;
  const mb = (bytes: number) => round(bytes / 1e6, 1);
  let bindsFirst: string;
  // As logins grow, one Redis reaches its share (about 1,500 logins/s) long before the fan-out
  // fills an instance (about 9,000): the Redis core is named first when both fail.
  const fanOut = feasible ? '' : `; the fan-out too (${round(logins * c.bystander, 0)} ms/s per instance)`;
  if (!redisFits)
    bindsFirst =
      (redisLoginCeiling > 0
        ? `the one Redis’s core: ${round(redisMsPerS / 10, 0)} % of it, over the planned ${a.redisUtilisation * 100} % (with ${nRedis} instances it carries ${redisLoginCeiling.toLocaleString('en')} logins/s)`
        : `the one Redis’s core: ${round(redisMsPerS / 10, 0)} % of it; the QR churn and background alone take ${round(redisFixed / 10, 1)} %`) +
      fanOut;
  else if (!feasible)
    bindsFirst = `instance CPU: receiving every push (${round(logins * c.bystander, 0)} ms/s) exceeds an instance’s ${budget} ms/s`;
  else if (deployment === 'B' && hotSlotCpuPercent > a.redisUtilisation * 100) bindsFirst = 'the qr-deadlines slot';
  else if (hotSlotSetsShards) bindsFirst = `${instanceBinds}; the master holding qr-deadlines sets the shards`;
  else
    bindsFirst =
      deployment === 'A'
        ? `${instanceBinds} (the one Redis carries up to ${redisLoginCeiling.toLocaleString('en')} logins/s here)`
        : instanceBinds;
  const none = Number.NaN;
  if (!feasible || !redisFits) {
    return {
      waiting,
      loginsPerSecond: logins,
      qrsPerSecond: round(q, 0),
      deployment,
      // With the fan-out feasible, only Redis fails: the instances needed are still given.
      instances: {
        byCpu,
        byMemory,
        bySockets,
        needed: feasible ? n : none,
        binds: feasible ? instanceBinds : 'instance CPU (the fan-out)',
        serverCores: feasible ? round(serverMsPerS(n) / 1000, 1) : none,
      },
      redisCpuPercent: round(redisMsPerS / 10, 0),
      redisLoginCeiling,
      shards: { byCpu: none, byMemory: none, needed: none, hotSlotCpuPercent: round(hotSlotCpuPercent, 1) },
      redisMemoryGb: round(memory / 1024 ** 3, 2),
      network: { clientMBps: none, replicationMBps: none, busMBps: none },
      bindsFirst,
    };
  }
  return {
    waiting,
    loginsPerSecond: logins,
    qrsPerSecond: round(q, 0),
    deployment,
    instances: { byCpu, byMemory, bySockets, needed: n, binds: instanceBinds, serverCores: round(serverMsPerS(n) / 1000, 1) },
    redisCpuPercent: round(redisMsPerS / 10, 0),
    redisLoginCeiling,
    shards: { byCpu: shardsByCpu, byMemory: shardsByMemory, needed: shards, hotSlotCpuPercent: round(hotSlotCpuPercent, 1) },
    redisMemoryGb: round(memory / 1024 ** 3, 2),
    network: {
      clientMBps: mb(
        logins * (c.netIn + c.netOut + c.netOutPerInstance * n) +
          q * (c.creation.bytes + c.expiry.bytes) +
          waiting * c.waiting.bytesPerS +
          n * c.background.bytesPerS,
      ),
      replicationMBps: mb(logins * c.repl + q * c.creation.repl),
      busMBps: mb(logins * c.bus),
    },
    bindsFirst,
  };
}

export interface CapacityModel {
  assumptions: typeof ASSUMPTIONS;
  /** A: the logins/s at which receiving every push takes an instance's whole budget, however many there are. */
  classicCeiling: number;
  /** A: the logins/s its one Redis carries at its planned share, with no waiting browser. */
  classicRedisCeiling: number;
  /** Where each deployment's unit costs come from in the run file. */
  sources: { A: string; B: string };
  /** B's CPU figures are A's times these (./capacity-costs.ts). */
  clusterRatios: ClusterRatios;
  costs: { A: UnitCosts; B: UnitCosts };
  projections: Projection[];
}

export function capacityModel(run: ScalingRun): CapacityModel {
  const standalone = run.deployments.filter((d) => d.redis === 'standalone');
  const at = (n: number) => standalone.find((d) => d.instances === n);
  const ref = at(1);
  const like = at(6);
  const b = run.deployments.find((d) => d.redis === 'cluster');
  if (!ref || !like || !b) throw new Error('the model needs the standalone deployments of 1 and 6 instances and the Cluster');
  const A = costsA(run, standalone, ref);
  const ratios = clusterRatios(b, like, A);
  const costs = { A, B: costsB(run, b, A, ratios) };
  const c = (d: DeploymentRun) => d.logins.at(-1)?.concurrency;
  const projections = [100_000, 1_000_000].flatMap((w) =>
    [1000, 10_000].flatMap((l) => (['A', 'B'] as const).map((x) => project(ASSUMPTIONS, costs[x], x, w, l))),
  );
  return {
    assumptions: ASSUMPTIONS,
    classicCeiling: round((1000 * ASSUMPTIONS.instanceUtilisation) / Math.max(1e-9, costs.A.bystander), 0),
    classicRedisCeiling: project(ASSUMPTIONS, costs.A, 'A', 0, 1).redisLoginCeiling,
    sources: {
      A: `standalone N = 1 at c = ${c(ref)} (logins, waiting, background); fan-out: N = 6's window (fanOut); PUBLISH time and output bytes per login fitted over N = ${standalone.map((d) => d.instances).join(', ')}; expiry`,
      B: `A's CPU × the Cluster's ratios to standalone N = 6 at c = ${c(b)} (clusterRatios; masters: loginsByRole.masters); commands, bytes, replication, bus, memory the Cluster's own; fan-out: clusterFanOut`,
    },
    clusterRatios: ratios,
    costs,
    projections,
  };
}

export function renderModel(m: CapacityModel): string {
  const n = (value: number) => (Number.isFinite(value) ? String(value) : Number.isNaN(value) ? '—' : '∞');
  const rows = m.projections.map((p) => [
    p.waiting.toLocaleString('en'),
    p.loginsPerSecond.toLocaleString('en'),
    p.deployment,
    p.qrsPerSecond,
    p.instances.serverCores,
    `${n(p.instances.needed)} (CPU ${n(p.instances.byCpu)}, memory ${p.instances.byMemory}, sockets ${p.instances.bySockets})`,
    `${n(p.redisCpuPercent)} %`,
    p.deployment === 'A' ? '1' : `${p.shards.needed} (CPU ${p.shards.byCpu}, memory ${p.shards.byMemory})`,
    `${p.shards.hotSlotCpuPercent} %`,
    p.redisMemoryGb,
    `${n(p.network.clientMBps)} / ${n(p.network.replicationMBps)} / ${n(p.network.busMBps)}`,
    p.bindsFirst,
  ]);
  const headers = ['waiting', 'logins/s', 'deployment', 'QRs/s', 'server cores', 'instances', 'Redis CPU (one core = 100 %)'];
  headers.push('shards', 'qr-deadlines slot CPU', 'Redis memory GiB', 'MB/s: instances↔Redis / replication / bus', 'binds first');
  const costs = (x: 'A' | 'B') => JSON.stringify(m.costs[x], (_, v: unknown) => (typeof v === 'number' ? round(v, 5) : v));
  return [
    '## Capacity model (bench/lib/capacity-model.ts)',
    '',
    'A: one Redis, classic adapter (REDIS_URL). B: Redis Cluster, sharded adapter (REDIS_CLUSTER_NODES).',
    `Assumptions: \`${JSON.stringify(m.assumptions)}\``,
    `A's one Redis carries ${m.classicRedisCeiling} logins/s at its planned share with no waiting browser; and past ${m.classicCeiling} logins/s no number of instances would do: each spends the bystander CPU on every login's pushes.`,
    '',
    `Unit costs A, from ${m.sources.A}: \`${costs('A')}\``,
    '',
    `Unit costs B, from ${m.sources.B}: \`${costs('B')}\``,
    `Cluster ratios: \`${JSON.stringify(m.clusterRatios, (_, v: unknown) => (typeof v === 'number' ? round(v, 3) : v))}\``,
    '',
    table(headers, rows),
  ].join('\n');
}
