/**
 * @module
 * node-redis clients with the options qrlogin relies on during a Redis outage:
 * - `data` (stores, keys): the offline queue is off, so a request while Redis is away fails at
 *   once with 503 (and the stores give up on a stalled Redis after `REDIS_DEADLINE_MS`);
 * - `pub` / `sub` (the Socket.IO adapter): the offline queue stays on, so subscriptions made
 *   while Redis is away are sent when it is back; node-redis re-subscribes every channel on
 *   reconnect (tested in tests/integration/redis-outage.test.ts).
 * All reconnect with capped exponential backoff and jitter. They ping every 2 s and drop a
 * connection that has been silent for 5 s, so a dead or stalled Redis is noticed even when idle.
 * The same options serve every node of a Redis Cluster (./cluster.ts). URLs and passwords are
 * never logged.
 */
import { type RedisClientType, type RedisClusterType, createClient } from 'redis';
import type { Logger } from '../../logger';

/** Any node-redis client (modules and scripts do not matter here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-redis types its client over modules, functions and scripts; only core commands are used here
export type AnyRedisClient = RedisClientType<any, any, any, any, any>;
/** Any node-redis Redis Cluster client. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as AnyRedisClient
export type AnyRedisCluster = RedisClusterType<any, any, any, any, any>;

/**
 * The key-addressed commands the stores use: the same on one Redis and on a Cluster (where each
 * is sent to the master of its first key's slot). Every multi-key command or script names keys
 * of one slot (./keys.ts).
 */
export type RedisCommands = Pick<
  AnyRedisClient,
  'get' | 'set' | 'eval' | 'del' | 'exists' | 'mGet' | 'hSet' | 'hGetAll' | 'hDel' | 'sRem' | 'zAdd' | 'zRem' | 'zRange' | 'zCard'
>;

export type RedisRole = 'data' | 'pub' | 'sub';

export interface RedisClientOptions {
  /** Longest wait between reconnect attempts. @default 2000 */
  maxReconnectDelayMs?: number;
  /** `REDIS_USERNAME` (ACL user), for every connection. */
  username?: string;
  /** `REDIS_PASSWORD`, for every connection. */
  password?: string;
}

/** Delay before reconnect attempt `retries` (0-based): 50 ms doubling, capped, ±20 % jitter. */
export function reconnectDelay(retries: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 50 * 2 ** Math.min(retries, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The connection options of one role, for a client or for every node of a Cluster. */
export function connectionOptions(role: RedisRole, options: RedisClientOptions, tls = false) {
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  return {
    name: `qrlogin-${role}`,
    disableOfflineQueue: role === 'data',
    pingInterval: 2_000,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    socket: {
      connectTimeout: 2_000,
      socketTimeout: 5_000,
      reconnectStrategy: (retries: number) => reconnectDelay(retries, maxDelay),
      ...(tls ? { tls: true as const } : {}),
    },
  };
}

/** Logs the first error of an outage and the recovery, once each (node-redis keeps reconnecting). */
export function logOutages(
  target: { on(event: string, listener: (...args: unknown[]) => void): unknown },
  role: RedisRole,
  logger: Logger,
): void {
  let healthy = true;
  target.on('error', (error: unknown) => {
    if (!healthy) return;
    healthy = false;
    logger.warn('redis connection lost, reconnecting', { role, error: error instanceof Error ? error.message : String(error) });
  });
  target.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info('redis connection back', { role });
  });
}

export function createRedisClient(url: string, role: RedisRole, logger: Logger, options: RedisClientOptions = {}): AnyRedisClient {
  const client: AnyRedisClient = createClient({ url, ...connectionOptions(role, options) });
  logOutages(client, role, logger);
  return client;
}
