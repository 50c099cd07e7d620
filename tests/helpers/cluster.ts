/**
 * @module
 * Several qrlogin instances on one Redis, as behind a load balancer: same key prefix, same
 * issuer, each on its own 127.0.0.1 port. `close()` stops them and deletes their keys.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import type { AdapterKind } from '../../server/backend/redis';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { type TestServer, startServer } from './server';

/** The machine's Redis, or REDIS_TEST_URL. */
export const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

export const uniquePrefix = (): string => `qrlogin-test:${randomBytes(6).toString('base64url')}:`;

/** The issuer every instance of a test cluster shares (as behind one PUBLIC_URL). */
export const CLUSTER_ISSUER = 'https://login.cluster.test';

export interface Cluster {
  servers: TestServer[];
  /** Instance `i`; throws when there is none. */
  at(i: number): TestServer;
  prefix: string;
  /** A plain client on the same Redis, for looking at keys. */
  redis: AnyRedisClient;
  close(): Promise<void>;
}

export interface ClusterOptions {
  url?: string;
  prefix?: string;
  adapter?: AdapterKind;
  env?: Record<string, string>;
}

export async function startCluster(count: number, options: ClusterOptions = {}): Promise<Cluster> {
  const url = options.url ?? REDIS_URL;
  const prefix = options.prefix ?? uniquePrefix();
  const redis: AnyRedisClient = createClient({ url });
  // Tests that stop Redis make this client reconnect; its errors are expected then.
  redis.on('error', () => undefined);
  await redis.connect();
  const servers: TestServer[] = [];
  for (let i = 0; i < count; i += 1) {
    servers.push(
      await startServer({
        env: { ISSUER: CLUSTER_ISSUER, ...options.env },
        redis: { url, prefix, ...(options.adapter ? { adapter: options.adapter } : {}) },
      }),
    );
  }
  return {
    servers,
    at(i) {
      const server = servers[i];
      if (!server) throw new Error(`no instance ${i}`);
      return server;
    },
    prefix,
    redis,
    async close() {
      await Promise.all(servers.map((server) => server.close()));
      if (redis.isReady) {
        await deleteByPrefix(redis, prefix);
        await redis.close();
      } else if (redis.isOpen) {
        redis.destroy();
      }
    },
  };
}

export async function deleteByPrefix(client: AnyRedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

export async function keysMatching(client: AnyRedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 500 })) found.push(...keys.map(String));
  return found;
}
