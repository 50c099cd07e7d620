/**
 * @module
 * The command line of `npm run bench` and the settings it selects (quick or full).
 */

export const USAGE = `usage: npm run bench [-- --quick] [-- --profile] [-- --only=PART,...]
  --quick    a smoke run (fewer logins and idle sockets, short windows), about three minutes
  --profile  also profiles one instance under load (node --cpu-prof) and prints where its
             CPU goes; the .cpuprofile is kept in bench/results/profiles/
  --only=single,redis,embedded,metrics,throughput,profile   runs only these parts (while working on one);
             single = the floor and qrlogin on one instance, latency, polling, and memory and open
               time with waiting browsers (as the widget opens them, and loading the QR image);
             throughput = qrlogin and the floor (each login's wire steps, with and without the
               image) against the OpenID Connect device flow;
             embedded = qrlogin on the embedded store beside memory (push latency, logins/s);
             metrics = qrlogin with metrics on beside METRICS=off (push latency, logins/s)
  --help     prints this and exits
Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379). Server: BENCH_SERVER (default dist/server/index.js).
BENCH_METRICS_SAME=on|off: the part metrics with both servers alike (an A/A run: the harness's own noise).`;

export interface BenchSettings {
  logins: number;
  idleLevels: number[];
  pollingSamples: number;
  pollingConcurrency: number;
  throughputMs: number;
  /** The warm-up before each system's first throughput window of a concurrency (its second has 0.5 s). */
  throughputWarmUpMs: number;
  concurrencies: number[];
  idleCpuWindowMs: number;
  /** How long the server settles before each capacity reading (RSS). */
  capacitySettleMs: number;
}

export interface BenchOptions {
  help: boolean;
  quick: boolean;
  /** The parts named by `--only`, if given. */
  only: string[] | undefined;
  profile: boolean;
  redisUrl: string;
  settings: BenchSettings;
  /** The most idle sockets any part holds. */
  maxIdle: number;
  /** Whether a part runs (the profile part only with --profile or --only=profile). */
  runs(part: string): boolean;
}

const QUICK: BenchSettings = {
  logins: 200,
  idleLevels: [1000, 2000],
  pollingSamples: 100,
  pollingConcurrency: 100,
  throughputMs: 2000,
  throughputWarmUpMs: 500,
  concurrencies: [1, 10, 50],
  idleCpuWindowMs: 2000,
  capacitySettleMs: 1000,
};

const FULL: BenchSettings = {
  logins: 2000,
  idleLevels: [1000, 5000, 10000],
  pollingSamples: 2000,
  pollingConcurrency: 100,
  throughputMs: 10_000,
  throughputWarmUpMs: 2000,
  concurrencies: [1, 10, 50],
  idleCpuWindowMs: 25_000,
  capacitySettleMs: 3000,
};

export function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const args = new Set(argv);
  const quick = args.has('--quick');
  const only = [...args]
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const profile = args.has('--profile') || (only?.includes('profile') ?? false);
  const settings = quick ? QUICK : FULL;
  return {
    help: args.has('--help') || args.has('-h'),
    quick,
    only,
    profile,
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    settings,
    maxIdle: Math.max(...settings.idleLevels),
    runs: (part) => (part === 'profile' ? profile : !only || only.includes(part)),
  };
}
