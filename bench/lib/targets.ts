/**
 * @module
 * The servers under test, each started as its own process: qrlogin as shipped (the built
 * `dist/server/index.js`, configured only through its environment), the bare floor, and the
 * device-flow peer; `using()` stops them after the part that needs them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RATE_RULES } from '../../server/ratelimit/limits';
import { closeIdleConnections } from './http';
import { type BenchProcess, bundle, freePort, startProcess } from './processes';

/**
 * Every rate limit raised far above the load instead of turned off, so the limiter's work
 * (one counter per rule per request) is still measured.
 */
export const BENCH_RATE_LIMITS = RATE_RULES.map((rule) => `${rule}=999999999/60`).join(',');

export interface Server {
  url: string;
  process: BenchProcess;
}

/**
 * The store, always named: without `REDIS_URL` qrlogin now defaults to the embedded store, so a
 * run that means memory must ask for it. `memory`: `STORE=memory`. `embedded`: `DATA_DIR` in a
 * fresh folder under the temp directory (`TMPDIR`: a real disk, not a tmpfs, or the commits
 * never reach a disk), removed once the server has stopped. `redis`: `REDIS_URL` with the key
 * prefix of the part.
 */
export type QrloginStore =
  | { store: 'memory' }
  | { store: 'embedded' }
  | { store: 'redis'; redis: { url: string; prefix: string } }
  | { store: 'redis-cluster'; cluster: { nodes: string[]; prefix: string } };

export type QrloginOptions = QrloginStore & {
  name: string;
  /** Same for every instance of one deployment. */
  issuer?: string;
  /** Writes a V8 CPU profile here on exit (`node --cpu-prof`). */
  profileDir?: string;
  /** `METRICS=off` when false: the baseline of the part `metrics`. @default true (as shipped) */
  metrics?: boolean;
  /** Variables over the bench's settings (`QR_TTL_SECONDS`…). */
  env?: Record<string, string>;
};

/** The environment that selects the store (blanking whatever the bench's own environment says). */
function storeEnv(options: QrloginStore, dataDir: string | undefined): Record<string, string> {
  const none = { REDIS_URL: '', REDIS_CLUSTER_NODES: '', REDIS_KEY_PREFIX: '', DATA_DIR: '' };
  if (options.store === 'redis') return { ...none, STORE: 'redis', REDIS_URL: options.redis.url, REDIS_KEY_PREFIX: options.redis.prefix };
  if (options.store === 'redis-cluster') {
    const { nodes, prefix } = options.cluster;
    return { ...none, STORE: 'redis', REDIS_CLUSTER_NODES: nodes.join(','), REDIS_KEY_PREFIX: prefix };
  }
  return { ...none, STORE: options.store, DATA_DIR: dataDir ?? '' };
}

/** The server entry: the build in dist/, or `BENCH_SERVER` (another build, to compare). */
const SERVER_ENTRY = process.env.BENCH_SERVER ?? 'dist/server/index.js';

export async function startQrlogin(options: QrloginOptions): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = options.store === 'embedded' ? mkdtempSync(join(tmpdir(), 'qrlogin-bench-')) : undefined;
  const removeDataDir = () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let proc: BenchProcess;
  try {
    proc = await startProcess({
      name: options.name,
      args: [...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []), SERVER_ENTRY],
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: url,
        ISSUER: options.issuer ?? url,
        LOG_LEVEL: 'warn',
        // Waiting browsers must still be waiting when the run reaches them.
        QR_TTL_SECONDS: '3600',
        RATE_LIMITS: BENCH_RATE_LIMITS,
        // Every load-generating client comes from 127.0.0.1.
        MAX_SOCKETS_PER_IP: '0',
        QRLOGIN_DEMO_APP_SECRET: randomBytes(24).toString('base64url'),
        METRICS: options.metrics === false ? 'off' : 'on',
        ...storeEnv(options, dataDir),
        ...options.env,
      },
      readyUrl: `${url}/readyz`,
    });
  } catch (error) {
    removeDataDir();
    throw error;
  }
  if (dataDir) {
    // The same object stays in the processes' registry, so stopAll() (an interrupt) removes it too.
    const stop = proc.stop.bind(proc);
    proc.stop = async (graceMs) => {
      try {
        await stop(graceMs);
      } finally {
        removeDataDir();
      }
    };
  }
  return { url, process: proc };
}

export async function startFloor(): Promise<Server> {
  const file = await bundle('bench/servers/floor.ts');
  const port = await freePort();
  const proc = await startProcess({ name: 'floor', args: [file], env: { PORT: String(port) }, readyLine: /READY/ });
  return { url: `http://127.0.0.1:${port}`, process: proc };
}

/** The OpenID Connect device flow of `oidc-provider` (bench/peers), the peer qrlogin is compared with. */
export async function startOidcDevice(): Promise<Server> {
  const file = await bundle('bench/peers/oidc-device-server.ts');
  const port = await freePort();
  const proc = await startProcess({ name: 'oidc-provider', args: [file], env: { PORT: String(port) }, readyLine: /READY/ });
  return { url: `http://127.0.0.1:${port}`, process: proc };
}

/** Starts servers, runs `body` with them, and stops them whatever happens. */
export async function using<T>(start: () => Promise<Server[]>, body: (servers: Server[]) => Promise<T>): Promise<T> {
  const servers = await start();
  try {
    return await body(servers);
  } finally {
    closeIdleConnections();
    await Promise.all(servers.map((server) => server.process.stop()));
  }
}
