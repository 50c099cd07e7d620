/**
 * @module
 * A throwaway Redis for a measurement, started and stopped by the bench itself: one
 * `redis-server` on a free 127.0.0.1 port with no persistence (`--save '' --appendonly no`), or
 * a Redis Cluster of three masters with a replica each (tests/helpers/redis-cluster.ts), its
 * append-only file turned off after it is formed so that both measure the same work. Either is
 * stopped by its own handle (its PIDs), never by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { startRedisCluster } from '../../tests/helpers/redis-cluster';
import { freePort } from './processes';

/** Every Redis started here and not yet stopped, for {@link stopAllRedis} (an interrupt). */
const running = new Set<BenchRedis>();

/** Stops every Redis this process started and has not stopped. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map((redis) => redis.stop()));
}

/** Registers `redis` until its stop() is called. */
function tracked(redis: BenchRedis): BenchRedis {
  const stop = redis.stop;
  const handle = {
    ...redis,
    stop: async () => {
      running.delete(handle);
      await stop();
    },
  };
  running.add(handle);
  return handle;
}

export interface BenchRedis {
  kind: 'standalone' | 'cluster';
  /** Every node (a Cluster: masters and replicas). */
  ports: number[];
  /** How qrlogin reaches it: `{ url }` or `{ nodes }` for REDIS_CLUSTER_NODES. */
  target: { url: string } | { nodes: string[] };
  stop(): Promise<void>;
}

async function startServer(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s: ${output.slice(-500)}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
    });
  });
  return child;
}

export async function startStandaloneRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'qrlogin-bench-redis-'));
  const child = await startServer(port, dir).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return tracked({
    kind: 'standalone',
    ports: [port],
    target: { url: `redis://127.0.0.1:${port}` },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Sets `CONFIG SET name value` on the node at `port`. */
async function configSet(port: number, name: string, value: string): Promise<void> {
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.sendCommand(['CONFIG', 'SET', name, value]);
  } finally {
    await client.close();
  }
}

export async function startClusterRedis(): Promise<BenchRedis> {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  try {
    for (const node of cluster.nodes) await configSet(node.port, 'appendonly', 'no');
    await cluster.waitHealthy();
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return tracked({
    kind: 'cluster',
    ports: cluster.nodes.map((node) => node.port),
    target: { nodes: cluster.seeds },
    stop: () => cluster.dispose(),
  });
}
