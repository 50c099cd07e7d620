/**
 * @module
 * `openBackend(config)`: the backend the configuration asks for — embedded (durable, in
 * `DATA_DIR`; the default), memory (`STORE=memory`), or Redis (`REDIS_URL`).
 */
import { loadSigningKey } from '../auth/keys';
import type { Clock } from '../domain/clock';
import type { Logger } from '../logger';
import { createEmbeddedBackend } from './embedded';
import { createMemoryBackend } from './memory';
import { createRedisBackend } from './redis';
import type { Backend } from './types';

export type { Backend } from './types';

/** What `openBackend` needs of the configuration (server/config's fields of the same names). */
export interface BackendChoice {
  store: 'embedded' | 'memory' | 'redis';
  dataDir: string;
  dataSync: 'interval' | 'commit';
  redisUrl: string | null;
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
      if (!config.redisUrl) throw new Error('STORE=redis needs REDIS_URL');
      return createRedisBackend({
        url: config.redisUrl,
        prefix: config.redisKeyPrefix,
        signingKey: configured,
        // Old public keys stay in the JWKS while any token they signed can be valid.
        keyRetainMs: Math.max(config.idTokenTtlSeconds, config.userTokenTtlSeconds) * 1000 + 60_000,
        logger,
        now,
      });
  }
}
