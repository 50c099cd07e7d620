/**
 * `npm run bench:scaling [-- --quick] [-- --no-wait]`: how qrlogin's cost grows with instances,
 * for the capacity model in BENCHMARKS.md. For N = 1, 2, 3 and 6 built instances
 * (dist/server/index.js, each its own process) on a throwaway `redis-server` of its own, then
 * N = 3 on a throwaway Redis Cluster (three masters, a replica each), it measures
 * (bench/lib/scaling-measure.ts has the order):
 * - closed-loop logins at two concurrencies (browser on one instance, phone on the next, the
 *   ticket redeemed on the one after: bench/lib/scaling-load.ts): logins/s, server and load
 *   generator CPU per login, Redis commands, bytes, CPU and memory per login, and how the
 *   scheduler shared the cores (bench/lib/sched.ts);
 * - at six instances, logins served by three: what the others spend on the adapter's pushes;
 * - what the classic adapter publishes, and what a login sends to Redis (MONITOR), standalone;
 * - logins of light users (a short list of signed-in browsers), at three instances;
 * - the deployment's background Redis traffic with no browser, and waiting browsers opened by
 *   the idle fleet (bench/lib/scaling-idle.ts): cost per QR created, instance RSS and Redis
 *   memory per waiting browser, and their Redis traffic while idle;
 * - the expiry sweep's cost per QR, on one instance with short-lived QRs.
 * Then the capacity model (bench/lib/capacity-model.ts). Before measuring it waits (up to 15 min,
 * unless --no-wait) for the machine's 1-minute load to fall below 0.7.
 * Writes bench/runs/<date>-scaling.json and .md (a quick run: bench/results/scaling-quick.json).
 * `--render=FILE.json` recomputes the model and the Markdown of a run file, measuring nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startClusterRedis, startStandaloneRedis, stopAllRedis } from './lib/bench-redis';
import { capacityModel } from './lib/capacity-model';
import { startFleet } from './lib/fleet-control';
import { openFilesLimit, settle, stopAll } from './lib/processes';
import { type ScalingSettings, clusterFanOut, expiryRun, measure } from './lib/scaling-measure';
import { hostInfo, renderScaling } from './lib/scaling-report';
import type { DeploymentRun, ScalingRun } from './lib/scaling-types';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const SETTINGS: ScalingSettings & { instances: number[]; clusterInstances: number } = {
  instances: [1, 2, 3, 6],
  clusterInstances: 3,
  concurrencies: [8, 32],
  warmUpMs: quick ? 1000 : 3000,
  windowMs: quick ? 2000 : 8000,
  inspectMs: quick ? 1000 : 3000,
  backgroundMs: quick ? 2000 : 8000,
  waiting: quick ? 300 : 2000,
  settleMs: quick ? 1000 : 3000,
  idleMs: quick ? 3000 : 30_000,
  lightUsers: quick ? 60 : 200,
  lightMs: quick ? 1000 : 3000,
  expiryQrs: quick ? 200 : 1000,
  expiryTtlSeconds: 5,
  prefix: 'qrlogin:',
  issuer: 'https://login.bench.test',
};
const LOAD_LIMIT = 0.7;

const progress = (line: string) => process.stderr.write(`[scaling ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const load1 = () => Number(loadavg()[0]?.toFixed(2));

/** Waits, re-checking every 30 s for at most 15 min, until the 1-minute load is under LOAD_LIMIT. */
async function waitForQuiet(): Promise<{ waitedSeconds: number; load: number[] }> {
  const started = Date.now();
  for (let check = 0; check < 31 && load1() >= LOAD_LIMIT && !args.has('--no-wait'); check++) {
    progress(
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}: waiting for the 1-minute load to fall below ${LOAD_LIMIT}`,
    );
    await settle(30_000);
  }
  const load = loadavg().map((l) => Number(l.toFixed(2)));
  if ((load[0] ?? 0) >= LOAD_LIMIT) progress(`load still ${load.join(' ')}: measuring anyway, noted in the results`);
  return { waitedSeconds: Math.round((Date.now() - started) / 1000), load };
}

async function main(): Promise<void> {
  if (openFilesLimit() < SETTINGS.waiting + 1000)
    throw new Error(`open files limit ${openFilesLimit()} is below ${SETTINGS.waiting + 1000}`);
  const started = Date.now();
  const quiet = await waitForQuiet();
  const host = hostInfo();
  progress(`${quick ? 'quick' : 'full'} run, load ${quiet.load.join(' ')} after waiting ${quiet.waitedSeconds} s`);
  const fleet = await startFleet();
  const deployments: DeploymentRun[] = [];
  let expiry;
  let clusterSix: ScalingRun['clusterFanOut'];
  try {
    for (const count of SETTINGS.instances) {
      const redis = await startStandaloneRedis();
      try {
        deployments.push((await measure(SETTINGS, redis, count, fleet, progress)).run);
      } finally {
        await redis.stop();
      }
    }
    progress('expiry sweep, one instance');
    expiry = await expiryRun(SETTINGS, fleet);
    progress('Redis Cluster: 3 masters, 3 replicas');
    const cluster = await startClusterRedis();
    try {
      const measured = await measure(SETTINGS, cluster, SETTINGS.clusterInstances, fleet, progress);
      deployments.push(measured.run);
      progress("Redis Cluster, 6 instances: the sharded adapter's fan-out");
      clusterSix = await clusterFanOut(SETTINGS, cluster, measured.phones, progress);
    } finally {
      await cluster.stop();
    }
  } finally {
    await fleet.stop();
  }
  const run: ScalingRun = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    machine: host,
    load: { ...quiet, atEnd: loadavg().map((l) => Number(l.toFixed(2))) },
    settings: SETTINGS,
    deployments,
    expiry: expiry.figures,
    ...(clusterSix ? { clusterFanOut: clusterSix } : {}),
    raw: { expiry: expiry.raw },
  };
  const model = capacityModel(run);
  const date = run.startedAt.slice(0, 10);
  const [dir, base] = quick ? [join('bench', 'results'), 'scaling-quick'] : [join('bench', 'runs'), `${date}-scaling`];
  mkdirSync(dir, { recursive: true });
  const markdown = renderScaling(run, model);
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify({ ...run, model }, null, 2)}\n`);
  // A quick run's figures are a smoke test's: printed, and kept only as (git-ignored) JSON.
  if (!quick) writeFileSync(join(dir, `${base}.md`), markdown);
  process.stdout.write(`${markdown}\nwrote ${join(dir, base)}.json${quick ? '' : ' and .md'} (${run.seconds} s)\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`scaling: ${signal}, stopping what it started\n`);
    void stopAll()
      .then(stopAllRedis)
      .finally(() => process.exit(130));
  });
}

/** `--render=FILE.json`: the model and the Markdown again from a run file (FILE.json and FILE.md rewritten). */
function render(file: string): void {
  const { model: _old, ...run } = JSON.parse(readFileSync(file, 'utf8')) as ScalingRun & { model?: unknown };
  const model = capacityModel(run);
  writeFileSync(file, `${JSON.stringify({ ...run, model }, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '.md'), renderScaling(run, model));
  process.stdout.write(`rewrote ${file} and its .md\n`);
}

const rendering = process.argv.find((arg) => arg.startsWith('--render='));
(rendering ? Promise.resolve().then(() => render(rendering.slice('--render='.length))) : main())
  .catch((error: unknown) => {
    process.stderr.write(`scaling failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await stopAllRedis();
    process.exit();
  });
