/**
 * @module
 * The production nginx config (deploy/nginx.conf) run unprivileged for tests: its own prefix
 * in a temp folder, a free 127.0.0.1 port, and the test's instances as the upstream servers.
 * Only the lines marked `# @backends` and `# @listen` are changed, and a header naming the
 * upstream that answered is added.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, startCluster } from './cluster';
import { freePort } from './redis-server';
import { ROOT } from './server';
import { sleep } from './time';

/** Debian installs nginx in /usr/sbin, which a non-root PATH may not include. */
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

export interface TestNginx {
  url: string;
  close(): Promise<void>;
}

/** deploy/nginx.conf with `backends` (host:port) as upstream servers, listening on `port`. */
export function nginxConfig(backends: readonly string[], port: number): string {
  const lines = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (line.includes('# @listen')) {
      out.push(line.replace(/listen\s+\d+;/, `listen 127.0.0.1:${port};`));
      // For tests only: which instance answered.
      out.push('    add_header X-Qrlogin-Upstream $upstream_addr always;');
    } else if (line.includes('# @backends')) {
      // A run of marked lines becomes one line per backend.
      const previous = out[out.length - 1];
      if (previous !== undefined && previous.includes('# @backends')) continue;
      for (const backend of backends) out.push(line.replace(/server\s+\S+/, `server ${backend}`));
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

export async function startNginx(backends: readonly string[]): Promise<TestNginx> {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'qrlogin-nginx-'));
  // Workers may run as another user: they need to reach the temp folders.
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, 'temp'));
  writeFileSync(join(prefix, 'nginx.conf'), nginxConfig(backends, port));
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${stderr.slice(-1000)}`);
    }
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
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

/** `count` instances on Redis behind the production nginx config, as deployed. */
export async function startBalanced(count: number): Promise<{ cluster: Cluster; nginx: TestNginx; close(): Promise<void> }> {
  const cluster = await startCluster(count);
  const nginx = await startNginx(cluster.servers.map((server) => `127.0.0.1:${server.port}`));
  return {
    cluster,
    nginx,
    async close() {
      await nginx.close();
      await cluster.close();
    },
  };
}
