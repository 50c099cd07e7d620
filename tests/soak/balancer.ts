/**
 * @module
 * nginx in front of the soak's instances: the production deploy/nginx.conf with only the lines
 * tests/helpers/nginx.ts changes (those marked `# @backends` and `# @listen`, plus a header
 * naming the instance that answered), on a port chosen
 * before the instances start (they are told it as PUBLIC_URL). That module's `nginxConfig` is
 * not imported: the module starts in-process servers, so importing it loads the whole server. One more line may change, and the report
 * says so when it does: `worker_connections`. Each proxied WebSocket holds two of nginx's
 * connections (browser side and instance side), so the production value (16384, one worker)
 * holds about 8,000 browsers per nginx worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/instances';
import { freePort } from '../helpers/redis-server';
import { sleep } from '../helpers/time';

const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
/** deploy/nginx.conf's value. */
export const PRODUCTION_WORKER_CONNECTIONS = 16_384;

export interface Balancer {
  url: string;
  port: number;
  /** The `worker_connections` it runs with. */
  workerConnections: number;
  /** nginx's error log so far (stderr, last 8 kB). */
  errors(): string;
  /** Error-log lines so far, counted by what they say (addresses and ids left out). */
  errorCounts(): Record<string, number>;
  close(): Promise<void>;
}

export interface BalancerOptions {
  /** Override deploy/nginx.conf's `worker_connections` (null: keep it). */
  workerConnections: number | null;
}

/** deploy/nginx.conf with `backends` (host:port) as upstream servers, listening on 127.0.0.1:`port`. */
export function balancerConfig(backends: readonly string[], port: number): string {
  const out: string[] = [];
  for (const line of readFileSync(join(REPO_ROOT, 'deploy', 'nginx.conf'), 'utf8').split('\n')) {
    if (line.includes('# @listen')) {
      out.push(line.replace(/listen\s+\d+;/, `listen 127.0.0.1:${port};`));
      // For tests only (as tests/helpers/nginx.ts): which instance answered, a WebSocket's 101 too.
      out.push('    add_header X-Qrlogin-Upstream $upstream_addr always;');
    } else if (line.includes('# @backends')) {
      // A run of marked lines becomes one line per backend.
      if (out[out.length - 1]?.includes('# @backends')) continue;
      for (const backend of backends) out.push(line.replace(/server\s+\S+/, `server ${backend}`));
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

export async function startBalancer(backends: readonly string[], options: BalancerOptions): Promise<Balancer> {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'qrlogin-soak-nginx-'));
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, 'temp'));
  let config = balancerConfig(backends, port);
  const workerConnections = options.workerConnections ?? PRODUCTION_WORKER_CONNECTIONS;
  if (options.workerConnections !== null) {
    if (!config.includes(`worker_connections ${PRODUCTION_WORKER_CONNECTIONS};`))
      throw new Error('deploy/nginx.conf changed: worker_connections');
    config = config.replace(`worker_connections ${PRODUCTION_WORKER_CONNECTIONS};`, `worker_connections ${options.workerConnections};`);
  }
  writeFileSync(join(prefix, 'nginx.conf'), config);
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let partial = '';
  const counts: Record<string, number> = {};
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8192);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const key = errorKind(line);
      if (key) counts[key] = (counts[key] ?? 0) + 1;
    }
  });
  const exited = once(child, 'exit');
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`nginx did not start: ${stderr.slice(-1000)}`);
    }
    await sleep(50);
  }
  return { url: `http://127.0.0.1:${port}`, port, workerConnections, errors: () => stderr, errorCounts: () => ({ ...counts }), close };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `[error] 123#0: *45 connect() failed (111: Connection refused) while connecting to upstream, client: …` → `error: connect() failed (111: Connection refused) while connecting to upstream`. */
export function errorKind(line: string): string | null {
  const match = /\[(\w+)\] \d+#\d+: (?:\*\d+ )?([^,]+)/.exec(line);
  if (!match) return line.trim() === '' ? null : line.slice(0, 100);
  return `${match[1]}: ${match[2]}`;
}
