/**
 * `npm run bench [-- --quick] [-- --profile]`: qrlogin against the alternatives, in one run on
 * one machine. Prints Markdown tables and writes bench/results/latest.json. Method and
 * recorded figures: BENCHMARKS.md.
 *   --quick    a smoke run (fewer logins and idle sockets, short windows), under two minutes
 *   --profile  also profiles one instance under load (`node --cpu-prof`) and prints where its
 *              CPU goes; the .cpuprofile is kept in bench/results/profiles/
 *   --only=single,redis,throughput,profile   runs only these parts (while working on one);
 *              single = the floor and qrlogin on one instance, latency, polling and memory
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { DEVICE_FLOW_REQUESTS } from './peers/oidc-device-client';
import { summarizeProfile, type ProfileSummary } from './lib/cpuprofile';
import { startFleet } from './lib/fleet-control';
import { closeIdleConnections } from './lib/http';
import { bundle, freePort, machineCpu, openFilesLimit, startProcess, stealPercent, stopAll } from './lib/processes';
import { section, table } from './lib/report';
import { round, summarize, type Summary } from './lib/stats';
import { type Server, startFloor, startQrlogin } from './lib/targets';
import { capacityRamp, type CapacityResult } from './scenarios/capacity';
import { pollingLatency } from './scenarios/polling';
import { interleaved, openFloorProbe, openQrloginProbe, pushLatency } from './scenarios/push-latency';
import { combine, deviceFlowThroughput, qrloginThroughput, type ThroughputResult } from './scenarios/throughput';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const ONLY = [...args].find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const PROFILE = args.has('--profile') || (ONLY?.includes('profile') ?? false);
const part = (name: string) => !ONLY || ONLY.includes(name);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const SETTINGS = QUICK
  ? { logins: 200, idleLevels: [1000, 2000], pollingSamples: 100, pollingConcurrency: 100, throughputMs: 2000, concurrencies: [1, 10, 50], idleCpuWindowMs: 2000 }
  : { logins: 2000, idleLevels: [1000, 5000, 10000], pollingSamples: 2000, pollingConcurrency: 100, throughputMs: 10_000, concurrencies: [1, 10, 50], idleCpuWindowMs: 25_000 };
const MAX_IDLE = Math.max(...SETTINGS.idleLevels);

interface LatencyRow {
  name: string;
  target: 'floor' | 'qrlogin';
  instances: number;
  store: 'none' | 'memory' | 'redis';
  idleSockets: number;
  ms: Summary;
}

const latency: LatencyRow[] = [];
const capacity: Record<'floor' | 'qrlogin', CapacityResult> = {
  floor: { baselineMb: Number.NaN, readings: [], idleCpuPercent: Number.NaN },
  qrlogin: { baselineMb: Number.NaN, readings: [], idleCpuPercent: Number.NaN },
};
/** oidcDevice: browsers that stay logged in at the provider; oidcDeviceFresh: a new browser per login. */
const throughput: Record<'qrlogin' | 'oidcDevice' | 'oidcDeviceFresh', ThroughputResult[]> = { qrlogin: [], oidcDevice: [], oidcDeviceFresh: [] };
let polling: Summary | undefined;
let profile: { file: string; summary: ProfileSummary; throughput: ThroughputResult } | undefined;

const progress = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function record(row: Omit<LatencyRow, 'ms'>, samples: number[]): void {
  const ms = summarize(samples);
  latency.push({ ...row, ms });
  progress(`${row.name}, ${row.idleSockets} idle: p50 ${ms.p50.toFixed(2)} p95 ${ms.p95.toFixed(2)} p99 ${ms.p99.toFixed(2)} ms (${ms.n})`);
}

async function using<T>(start: () => Promise<Server[]>, body: (servers: Server[]) => Promise<T>): Promise<T> {
  const servers = await start();
  try {
    return await body(servers);
  } finally {
    closeIdleConnections();
    await Promise.all(servers.map((server) => server.process.stop()));
  }
}

const FLOOR_ROW = { name: 'floor (bare Socket.IO + HTTP POST)', target: 'floor', instances: 1, store: 'none' } as const;
const MEMORY_ROW = { name: 'qrlogin, 1 instance, memory', target: 'qrlogin', instances: 1, store: 'memory' } as const;
const sameInstance = (url: string) => ({ browser: url, scan: url, confirm: url });

/** The floor and qrlogin on one instance side by side, measured in alternating blocks. */
async function singleInstanceScenarios(): Promise<void> {
  await using(
    async () => [await startFloor(), await startQrlogin({ name: 'qrlogin memory' })],
    async ([floor, ours]) => {
      const probes = [await openFloorProbe(floor!.url), await openQrloginProbe(sameInstance(ours!.url))];
      try {
        const [floorSamples, ourSamples] = await interleaved(probes, SETTINGS.logins);
        record({ ...FLOOR_ROW, idleSockets: 0 }, floorSamples ?? []);
        record({ ...MEMORY_ROW, idleSockets: 0 }, ourSamples ?? []);
      } finally {
        for (const probe of probes) probe.close();
      }
      progress(`polling at 800 ms: ${SETTINGS.pollingSamples} logins, ${SETTINGS.pollingConcurrency} at a time`);
      polling = summarize(await pollingLatency(ours!.url, SETTINGS.pollingSamples, SETTINGS.pollingConcurrency));
    },
  );
  await using(
    async () => [await startFloor(), await startQrlogin({ name: 'qrlogin memory (idle)' })],
    async ([floor, ours]) => {
      // One fleet each: a process holds at most one socket per file descriptor.
      const fleets = [await startFleet(), await startFleet()] as const;
      try {
        progress(`capacity: ${SETTINGS.idleLevels.join(', ')} waiting browsers`);
        capacity.floor = await capacityRamp(floor!.process, fleets[0], 'floor', [floor!.url], SETTINGS.idleLevels, SETTINGS.idleCpuWindowMs);
        capacity.qrlogin = await capacityRamp(ours!.process, fleets[1], 'qrlogin', [ours!.url], SETTINGS.idleLevels, SETTINGS.idleCpuWindowMs);
        const probes = [await openFloorProbe(floor!.url), await openQrloginProbe(sameInstance(ours!.url))];
        try {
          const [floorSamples, ourSamples] = await interleaved(probes, SETTINGS.logins);
          record({ ...FLOOR_ROW, idleSockets: MAX_IDLE }, floorSamples ?? []);
          record({ ...MEMORY_ROW, idleSockets: MAX_IDLE }, ourSamples ?? []);
        } finally {
          for (const probe of probes) probe.close();
        }
      } finally {
        await Promise.all(fleets.map((fleet) => fleet.stop()));
      }
    },
  );
}

async function redisScenarios(): Promise<void> {
  const prefix = `qrlogin-bench:${randomBytes(4).toString('hex')}:`;
  redisPrefixes.add(prefix);
  const redis = { url: REDIS_URL, prefix };
  try {
    await using(
      async () => [await startQrlogin({ name: 'qrlogin redis', redis })],
      async ([server]) => {
        const url = server!.url;
        record({ name: 'qrlogin, 1 instance, Redis', target: 'qrlogin', instances: 1, store: 'redis', idleSockets: 0 }, await pushLatency(openQrloginProbe(sameInstance(url)), SETTINGS.logins));
      },
    );
    const issuer = 'https://login.bench.test';
    await using(
      async () => {
        const servers: Server[] = [];
        for (const name of ['A', 'B', 'C']) servers.push(await startQrlogin({ name: `qrlogin redis ${name}`, redis, issuer }));
        return servers;
      },
      async (servers) => {
        const [a, b, c] = servers.map((server) => server.url) as [string, string, string];
        const route = { browser: a, scan: b, confirm: c };
        const name = 'qrlogin, 3 instances, Redis (socket on A, scan on B, confirm on C)';
        record({ name, target: 'qrlogin', instances: 3, store: 'redis', idleSockets: 0 }, await pushLatency(openQrloginProbe(route), SETTINGS.logins));
        const fleet = await startFleet();
        try {
          progress(`${MAX_IDLE} idle browsers over the three instances`);
          await fleet.grow(MAX_IDLE, 'qrlogin', [a, b, c]);
          record({ name, target: 'qrlogin', instances: 3, store: 'redis', idleSockets: MAX_IDLE }, await pushLatency(openQrloginProbe(route), SETTINGS.logins));
        } finally {
          await fleet.stop();
        }
      },
    );
  } finally {
    await deleteRedisPrefix(prefix);
  }
}

/** Redis key prefixes in use, deleted at the end or on an interrupt. */
const redisPrefixes = new Set<string>();

async function deleteRedisPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
  await client.close();
  redisPrefixes.delete(prefix);
}

async function startOidcDevice(): Promise<Server> {
  const file = await bundle('bench/peers/oidc-device-server.ts');
  const port = await freePort();
  const proc = await startProcess({ name: 'oidc-provider', args: [file], env: { PORT: String(port) }, readyLine: /READY/ });
  return { url: `http://127.0.0.1:${port}`, process: proc };
}

/**
 * qrlogin and the peer side by side. For each concurrency, six half windows in the order
 * ours, peer (remembered session), peer (fresh browser), and back (ABCCBA): drift in the machine
 * falls on all three alike.
 */
async function throughputScenarios(): Promise<void> {
  await using(
    async () => [await startQrlogin({ name: 'qrlogin throughput' }), await startOidcDevice()],
    async ([ours, peer]) => {
      const half = SETTINGS.throughputMs / 2;
      const runs = {
        qrlogin: (c: number, warm: number) => qrloginThroughput(ours!.process, ours!.url, c, half, warm),
        oidcDevice: (c: number, warm: number) => deviceFlowThroughput(peer!.process, peer!.url, c, half, true, warm),
        oidcDeviceFresh: (c: number, warm: number) => deviceFlowThroughput(peer!.process, peer!.url, c, half, false, warm),
      };
      const order = ['qrlogin', 'oidcDevice', 'oidcDeviceFresh'] as const;
      for (const concurrency of SETTINGS.concurrencies) {
        const windows: Record<(typeof order)[number], ThroughputResult[]> = { qrlogin: [], oidcDevice: [], oidcDeviceFresh: [] };
        for (const name of order) windows[name].push(await runs[name](concurrency, 2000));
        for (const name of [...order].reverse()) windows[name].push(await runs[name](concurrency, 500));
        for (const name of order) throughput[name].push(combine(windows[name]));
        const line = (name: (typeof order)[number]) => {
          const r = throughput[name].at(-1);
          return r ? `${r.loginsPerSecond.toFixed(0)} logins/s, ${r.serverCpuMsPerLogin.toFixed(2)} CPU ms` : '';
        };
        progress(`c=${concurrency}: qrlogin ${line('qrlogin')}; device flow ${line('oidcDevice')} (fresh browsers ${line('oidcDeviceFresh')})`);
      }
    },
  );
}

async function profileScenario(): Promise<void> {
  const dir = join('bench', 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  let result: ThroughputResult | undefined;
  await using(
    async () => [await startQrlogin({ name: 'qrlogin profiled', profileDir: dir })],
    async ([server]) => {
      result = await qrloginThroughput(server!.process, server!.url, 10, SETTINGS.throughputMs);
    },
  );
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile') && !before.has(name));
  if (!file || !result) throw new Error('no CPU profile was written');
  profile = { file: join(dir, file), summary: summarizeProfile(join(dir, file)), throughput: result };
}

async function machine() {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const info = String(await client.info('server'));
  await client.close();
  const version = (name: string) => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    socketIo: version('socket.io'),
    oidcProvider: version('oidc-provider'),
    openFilesLimit: openFilesLimit(),
  };
}

const row = (r: LatencyRow) => [r.name, r.idleSockets, r.ms.n, r.ms.p50, r.ms.p95, r.ms.p99, r.ms.max];
const find = (target: LatencyRow['target'], instances: number, store: LatencyRow['store'], idle: number) =>
  latency.find((r) => r.target === target && r.instances === instances && r.store === store && r.idleSockets === idle);

function targets() {
  const memory0 = find('qrlogin', 1, 'memory', 0)?.ms;
  const memoryIdle = find('qrlogin', 1, 'memory', MAX_IDLE)?.ms;
  const cluster0 = find('qrlogin', 3, 'redis', 0)?.ms;
  const clusterIdle = find('qrlogin', 3, 'redis', MAX_IDLE)?.ms;
  const floor0 = find('floor', 1, 'none', 0)?.ms;
  const floorIdle = find('floor', 1, 'none', MAX_IDLE)?.ms;
  // The target holds at every level, so the worst reading counts.
  const perThousand = capacity.qrlogin.readings.length ? Math.max(...capacity.qrlogin.readings.map((r) => r.mbPer1000)) : Number.NaN;
  const ours10 = throughput.qrlogin.find((r) => r.concurrency === 10);
  const peer10 = throughput.oidcDevice.find((r) => r.concurrency === 10);
  const fresh10 = throughput.oidcDeviceFresh.find((r) => r.concurrency === 10);
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : Number.NaN);
  const check = (name: string, value: number, goal: string, met: boolean) => ({ name, value: round(value, 2), goal, met });
  return [
    check(`push p99, 1 instance, ${MAX_IDLE} idle (ms)`, memoryIdle?.p99 ?? NaN, '≤ 5', (memoryIdle?.p99 ?? Infinity) <= 5),
    check(`push p99, 3 instances, ${MAX_IDLE} idle (ms)`, clusterIdle?.p99 ?? NaN, '≤ 10', (clusterIdle?.p99 ?? Infinity) <= 10),
    check('push p50 ours/floor, 1 instance, 0 idle', ratio(memory0?.p50, floor0?.p50), '≤ 1.5', ratio(memory0?.p50, floor0?.p50) <= 1.5),
    check(`push p50 ours/floor, 1 instance, ${MAX_IDLE} idle`, ratio(memoryIdle?.p50, floorIdle?.p50), '≤ 1.5', ratio(memoryIdle?.p50, floorIdle?.p50) <= 1.5),
    check('push p50 3 instances/floor, 0 idle', ratio(cluster0?.p50, floor0?.p50), '(reported)', true),
    check('polling p50 / push p50 (1 instance)', ratio(polling?.p50, memory0?.p50), '≥ 100', ratio(polling?.p50, memory0?.p50) >= 100),
    check(`MB per 1,000 waiting browsers, worst of ${SETTINGS.idleLevels.join('/')}`, perThousand, '≤ 20', perThousand <= 20),
    check('logins/s ours/oidc-provider (browser logged in) at c=10', ratio(ours10?.loginsPerSecond, peer10?.loginsPerSecond), '≥ 3', ratio(ours10?.loginsPerSecond, peer10?.loginsPerSecond) >= 3),
    check('CPU ms/login ours/oidc-provider (browser logged in) at c=10', ratio(ours10?.serverCpuMsPerLogin, peer10?.serverCpuMsPerLogin), '≤ 0.33', ratio(ours10?.serverCpuMsPerLogin, peer10?.serverCpuMsPerLogin) <= 1 / 3),
    check('logins/s ours/oidc-provider with fresh browsers at c=10', ratio(ours10?.loginsPerSecond, fresh10?.loginsPerSecond), '(reported)', true),
    check('CPU ms/login ours/oidc-provider with fresh browsers at c=10', ratio(ours10?.serverCpuMsPerLogin, fresh10?.serverCpuMsPerLogin), '(reported)', true),
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  const needed = MAX_IDLE + 500;
  if (openFilesLimit() < needed) throw new Error(`open files limit ${openFilesLimit()} < ${needed}: run \`ulimit -n ${needed * 2}\` first`);
  const host = await machine();
  progress(`${QUICK ? 'quick' : 'full'} run on ${host.cores} × ${host.cpu}, Node ${host.node}, Redis ${host.redis}`);
  const parts: { part: string; seconds: number; stealPercent: number }[] = [];
  const timed = async (name: string, body: () => Promise<void>) => {
    if (name === 'profile' ? !PROFILE : !part(name)) return;
    const [t0, cpu0] = [Date.now(), machineCpu()];
    await body();
    parts.push({ part: name, seconds: round((Date.now() - t0) / 1000, 1), stealPercent: round(stealPercent(cpu0, machineCpu()), 1) });
  };
  await timed('single', singleInstanceScenarios);
  await timed('redis', redisScenarios);
  await timed('throughput', throughputScenarios);
  await timed('profile', profileScenario);

  const checks = targets();
  const result = {
    mode: QUICK ? 'quick' : 'full',
    ...(ONLY ? { only: ONLY } : {}),
    startedAt: new Date(started).toISOString(),
    seconds: round((Date.now() - started) / 1000, 1),
    machine: host,
    settings: { ...SETTINGS, deviceFlowRequestsPerLogin: DEVICE_FLOW_REQUESTS },
    parts,
    latency: latency.map((r) => ({ ...r, ms: Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, round(v, 3)])) })),
    polling,
    capacity,
    throughput,
    ...(profile ? { profile: { file: profile.file, throughput: profile.throughput, areas: profile.summary.areas, functions: profile.summary.functions } } : {}),
    targets: checks,
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);

  section(
    'Push latency: phone request sent → browser socket receives the push (ms)',
    table(['setup', 'idle sockets', 'logins', 'p50', 'p95', 'p99', 'max'], [
      ...latency.map(row),
      ['polling fallback, GET check every 800 ms (1 instance, memory)', 0, polling?.n ?? 0, polling?.p50 ?? NaN, polling?.p95 ?? NaN, polling?.p99 ?? NaN, polling?.max ?? NaN],
    ]),
  );
  section(
    'Memory: server RSS with waiting browsers (MB; per 1,000 from the warmed-up baseline, and marginal from the previous level)',
    table(
      ['server', 'baseline', ...SETTINGS.idleLevels.flatMap((n) => [`RSS at ${n}`, `per 1000 at ${n}`, `marginal to ${n}`]), `idle CPU % at ${MAX_IDLE}`],
      (['qrlogin', 'floor'] as const).map((name) => [
        name === 'qrlogin' ? 'qrlogin (memory store)' : 'bare Socket.IO',
        capacity[name].baselineMb,
        ...capacity[name].readings.flatMap((r) => [r.rssMb, r.mbPer1000, r.marginalMbPer1000]),
        capacity[name].idleCpuPercent,
      ]),
    ),
  );
  section(
    'Throughput: complete logins, closed loop',
    table(['server', 'concurrency', 'logins', 'logins/s', 'server CPU ms/login', 'load generator CPU ms/login'], [
      ...throughput.qrlogin.map((r) => ['qrlogin (1 instance, memory)', r.concurrency, r.logins, r.loginsPerSecond, r.serverCpuMsPerLogin, r.clientCpuMsPerLogin]),
      ...throughput.oidcDevice.map((r) => [`oidc-provider ${host.oidcProvider} device flow, browser logged in`, r.concurrency, r.logins, r.loginsPerSecond, r.serverCpuMsPerLogin, r.clientCpuMsPerLogin]),
      ...throughput.oidcDeviceFresh.map((r) => [`oidc-provider ${host.oidcProvider} device flow, fresh browser`, r.concurrency, r.logins, r.loginsPerSecond, r.serverCpuMsPerLogin, r.clientCpuMsPerLogin]),
    ]),
  );
  if (profile) {
    section(
      `Profile: qrlogin at concurrency 10 (${profile.throughput.loginsPerSecond.toFixed(0)} logins/s; ${profile.file})`,
      `${table(['area', 'ms', 'share %'], profile.summary.areas.slice(0, 12).map((a) => [a.area, a.ms, a.share * 100]))}\n\n${table(
        ['function', 'area', 'self ms', 'share %'],
        profile.summary.functions.map((f) => [f.fn, f.area, f.ms, f.share * 100]),
      )}`,
    );
  }
  section(
    'Run conditions: CPU time the hypervisor took (steal) during each part; high steal inflates every figure',
    table(['part', 'seconds', 'steal %'], parts.map((p) => [p.part, p.seconds, p.stealPercent])),
  );
  section('Targets', table(['measure', 'value', 'target', 'met'], checks.map((c) => [c.name, c.value, c.goal, c.met ? 'yes' : 'NO'])));
  process.stdout.write(`\nwrote bench/results/latest.json (${result.seconds} s)\n`);
}

// Interrupted: stop every server started, then leave.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping the servers it started and deleting its Redis keys\n`);
    void stopAll()
      .then(() => Promise.all([...redisPrefixes].map(deleteRedisPrefix)))
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
