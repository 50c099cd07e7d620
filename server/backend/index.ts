/**
 * @module
 * `openBackend(config)`: the backend the configuration asks for — embedded (durable, in
 * `DATA_DIR`; the default), memory (`STORE=memory`), or Redis (`REDIS_URL`, or a Redis Cluster:
 * `REDIS_CLUSTER_NODES`).
 */
import { loadSigningKey } from '../auth/keys';
import type { Clock } from '../domain/clock';
import type { Logger } from '../logger';
import { createEmbeddedBackend } from './embedded';
import { createMemoryBackend } from './memory';
import { type RedisTarget, createRedisBackend } from './redis';
import type { Backend } from './types';

export type { Backend } from './types';

/** What `openBackend` needs of the configuration (server/config's fields of the same names). */
export interface BackendChoice {
  store: 'embedded' | 'memory' | 'redis';
  dataDir: string;
  dataSync: 'interval' | 'commit';
  redisUrl: string | null;
  redisClusterNodes: readonly string[] | null;
  redisUsername: string | null;
  redisPassword: string | null;
  redisWaitReplicas: number;
  redisKeyPrefix: string;
  signingKey: Parameters<typeof loadSigningKey>[0];
  idTokenTtlSeconds: number;
  userTokenTtlSeconds: number;
}

export async function openBackend(config: BackendChoice, logger: Logger, now: Clock): Promise<Backend> {
  const configured = config.signingKey === null ? null : await loadSigningKey(config.signingKey);
  switch (config.store) {
    case 'memory':
      return createMemoryBackend(now, configured ?? undefined);
    case 'embedded':
      return createEmbeddedBackend({ dataDir: config.dataDir, sync: config.dataSync, signingKey: configured, logger, now });
    case 'redis':
      return createRedisBackend({
        target: redisTarget(config),
        prefix: config.redisKeyPrefix,
        ...(config.redisUsername === null ? {} : { username: config.redisUsername }),
        ...(config.redisPassword === null ? {} : { password: config.redisPassword }),
        waitReplicas: config.redisWaitReplicas,
        signingKey: configured,
        // Old public keys stay in the JWKS while any token they signed can be valid.
        keyRetainMs: Math.max(config.idTokenTtlSeconds, config.userTokenTtlSeconds) * 1000 + 60_000,
        logger,
        now,
      });
  }
}

function redisTarget(config: BackendChoice): RedisTarget {
  if (config.redisClusterNodes) return { kind: 'cluster', nodes: config.redisClusterNodes };
  if (config.redisUrl) return { kind: 'standalone', url: config.redisUrl };
  throw new Error('STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES');
}
