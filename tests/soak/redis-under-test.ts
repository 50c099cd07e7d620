/**
 * @module
 * The Redis a soak runs on, as a parameter: what the instances are told (`env`), and the fault
 * the soak injects mid-run. Each kind is a throwaway Redis of the soak's own (127.0.0.1, a free
 * port, an append-only file synced on every write), disposed of at the end.
 *
 * - `standalone`: one `redis-server` (tests/helpers/redis-server.ts); the fault SIGKILLs it,
 *   waits about a second and starts it again on the same port and data.
 * - `cluster`: three masters with a replica each (tests/helpers/redis-cluster.ts), the instances
 *   given REDIS_CLUSTER_NODES; the fault SIGKILLs the master of the shard serving a QR in use,
 *   waits until a replica is promoted, and starts the killed node again (it rejoins as a
 *   replica).
 */
import { redisKeys } from '../../server/backend/redis/keys';
import { startRedisCluster } from '../helpers/redis-cluster';
import { startThrowawayRedis } from '../helpers/redis-server';
import { sleep } from '../helpers/time';

export const REDIS_KINDS = ['standalone', 'cluster'] as const;
export type RedisKind = (typeof REDIS_KINDS)[number];

/** What one fault did. */
export interface FaultRecord {
  /** What happened, in words (for the report). */
  what: string;
  /** From the kill to the restarted Redis accepting connections, ms. */
  downMs: number;
}

export interface RedisUnderTest {
  kind: RedisKind;
  /** Environment for every instance (REDIS_URL, or REDIS_CLUSTER_NODES). */
  env: Record<string, string>;
  /**
   * Injects the fault and resolves once Redis is back. `randomHint` names a QR in use, so a
   * cluster can pick the shard that serves it.
   */
  fault(randomHint: string | null): Promise<FaultRecord>;
  /** Where a QR's key lives (a cluster: the master serving its slot), for a lost login's path. */
  whereIs?(random: string): Promise<string>;
  dispose(): Promise<void>;
}

/** How long a killed Redis stays down before it is started again. */
export const REDIS_DOWN_MS = 1_000;

async function standalone(): Promise<RedisUnderTest> {
  const redis = await startThrowawayRedis();
  return {
    kind: 'standalone',
    env: { REDIS_URL: redis.url },
    async fault() {
      const killedAt = Date.now();
      await redis.kill();
      await sleep(REDIS_DOWN_MS);
      await redis.start();
      return { what: `redis-server on :${redis.port} SIGKILLed, started again on the same port and AOF`, downMs: Date.now() - killedAt };
    },
    dispose: () => redis.dispose(),
  };
}

/** `prefix`: the instances' REDIS_KEY_PREFIX (a QR's key comes from server/backend/redis/keys.ts). */
async function cluster(prefix: string): Promise<RedisUnderTest> {
  const redis = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
  return {
    kind: 'cluster',
    env: { REDIS_CLUSTER_NODES: redis.seeds.join(',') },
    async fault(randomHint) {
      const key = randomHint === null ? `${prefix}soak` : redisKeys(prefix).qr(randomHint);
      const killedAt = Date.now();
      const { killed, promoted } = await redis.killMaster(key);
      const downMs = Date.now() - killedAt;
      await redis.restart(killed);
      return {
        what: `master ${killed} (serving a waiting QR's slot) SIGKILLed, replica ${promoted} promoted after ${downMs} ms, ${killed} started again as a replica ${Date.now() - killedAt} ms after the kill`,
        downMs,
      };
    },
    whereIs: async (random) => `its slot served by ${await redis.masterOf(redisKeys(prefix).qr(random))}`,
    dispose: () => redis.dispose(),
  };
}

export async function startRedisUnderTest(kind: RedisKind, prefix: string): Promise<RedisUnderTest> {
  switch (kind) {
    case 'standalone':
      return standalone();
    case 'cluster':
      return cluster(prefix);
  }
}
