/**
 * `npm run bench [-- --quick] [-- --profile] [-- --only=…]` (`-- --help` for the options):
 * qrlogin against the alternatives, in one run on one machine. Prints Markdown tables and
 * writes bench/results/latest.json. Method and recorded figures: BENCHMARKS.md. The parts are
 * bench/scenarios/parts.ts; the targets, bench/lib/goals.ts; the tables, bench/lib/summary.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineCpu, openFilesLimit, stealPercent, stopAll } from './lib/processes';
import { USAGE, readOptions } from './lib/options';
import { emptyResults, progress } from './lib/results';
import { round } from './lib/stats';
import { targets } from './lib/goals';
import { type PartTiming, machine, printReport } from './lib/summary';
import { DEVICE_FLOW_REQUESTS } from './peers/oidc-device-client';
import { embeddedVersusMemory } from './scenarios/embedded';
import { metricsOnVersusOff } from './scenarios/metrics-cost';
import { type Part, deleteRedisKeys, profiled, redisInstances, singleInstance, versusDeviceFlow } from './scenarios/parts';

const options = readOptions(process.argv.slice(2));

async function main(): Promise<void> {
  const { quick, only, settings, maxIdle } = options;
  const started = Date.now();
  const needed = maxIdle + 500;
  if (openFilesLimit() < needed) throw new Error(`open files limit ${openFilesLimit()} < ${needed}: run \`ulimit -n ${needed * 2}\` first`);
  const host = await machine(options.redisUrl);
  progress(`${quick ? 'quick' : 'full'} run on ${host.cores} × ${host.cpu}, Node ${host.node}, Redis ${host.redis}`);
  const results = emptyResults();
  const parts: PartTiming[] = [];
  const timed = async (name: string, part: Part) => {
    if (!options.runs(name)) return;
    const [t0, cpu0] = [Date.now(), machineCpu()];
    await part(options, results);
    parts.push({ part: name, seconds: round((Date.now() - t0) / 1000, 1), stealPercent: round(stealPercent(cpu0, machineCpu()), 1) });
  };
  await timed('single', singleInstance);
  await timed('redis', redisInstances);
  await timed('embedded', embeddedVersusMemory);
  await timed('metrics', metricsOnVersusOff);
  await timed('throughput', versusDeviceFlow);
  await timed('profile', profiled);

  const checks = targets(results, settings, maxIdle);
  const { latency, polling, capacity, throughput, embeddedVsMemory, metricsCost, profile } = results;
  const result = {
    mode: quick ? 'quick' : 'full',
    ...(only ? { only } : {}),
    startedAt: new Date(started).toISOString(),
    seconds: round((Date.now() - started) / 1000, 1),
    machine: host,
    settings: { ...settings, deviceFlowRequestsPerLogin: DEVICE_FLOW_REQUESTS },
    parts,
    latency: latency.map((r) => ({ ...r, ms: Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, round(v, 3)])) })),
    polling,
    capacity,
    throughput,
    ...(embeddedVsMemory ? { embeddedVsMemory } : {}),
    ...(metricsCost ? { metricsCost } : {}),
    ...(profile
      ? {
          profile: {
            file: profile.file,
            throughput: profile.throughput,
            areas: profile.summary.areas,
            functions: profile.summary.functions,
          },
        }
      : {}),
    targets: checks,
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  printReport(results, settings, maxIdle, host, parts, checks);
  process.stdout.write(`\nwrote bench/results/latest.json (${result.seconds} s)\n`);
}

if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// Interrupted: stop every server started, then leave.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping the servers it started and deleting its Redis keys\n`);
    void stopAll()
      .then(deleteRedisKeys)
      .finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    process.exit();
  });
