/**
 * @module
 * node-redis clients with the options qrlogin relies on during a Redis outage:
 * - `data` (stores, keys): the offline queue is off, so a request while Redis is away fails at
 *   once with 503 (and the stores give up on a stalled Redis after `REDIS_DEADLINE_MS`);
 * - `pub` / `sub` (the Socket.IO adapter): the offline queue stays on, so subscriptions made
 *   while Redis is away are sent when it is back; node-redis re-subscribes every channel on
 *   reconnect (tested in tests/integration/redis-outage.test.ts).
 * All reconnect with capped exponential backoff and jitter. They ping every 2 s and drop a
 * connection that has been silent for 5 s, so a dead or stalled Redis is noticed even when idle. The URL (it may hold a password) is never logged.
 */
import { type RedisClientType, createClient } from 'redis';
import type { Logger } from '../../logger';

/** Any node-redis client (modules and scripts do not matter here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-redis types its client over modules, functions and scripts; only core commands are used here
export type AnyRedisClient = RedisClientType<any, any, any, any, any>;

export type RedisRole = 'data' | 'pub' | 'sub';

export interface RedisClientOptions {
  /** Longest wait between reconnect attempts. @default 2000 */
  maxReconnectDelayMs?: number;
}

/** Delay before reconnect attempt `retries` (0-based): 50 ms doubling, capped, ±20 % jitter. */
export function reconnectDelay(retries: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 50 * 2 ** Math.min(retries, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function createRedisClient(url: string, role: RedisRole, logger: Logger, options: RedisClientOptions = {}): AnyRedisClient {
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const client: AnyRedisClient = createClient({
    url,
    name: `qrlogin-${role}`,
    disableOfflineQueue: role === 'data',
    pingInterval: 2_000,
    socket: {
      connectTimeout: 2_000,
      socketTimeout: 5_000,
      reconnectStrategy: (retries: number) => reconnectDelay(retries, maxDelay),
    },
  });
  let healthy = true;
  client.on('error', (error: unknown) => {
    // Logged once per outage; node-redis keeps reconnecting on its own.
    if (!healthy) return;
    healthy = false;
    logger.warn('redis connection lost, reconnecting', { role, error: error instanceof Error ? error.message : String(error) });
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info('redis connection back', { role });
  });
  return client;
}
