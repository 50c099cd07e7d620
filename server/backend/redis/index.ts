/**
 * @module
 * The Redis backend: stores, the shared key set and the Socket.IO adapter over three
 * connections (data, pub, sub). Any number of instances configured with the same Redis and
 * key prefix serve one website together.
 */
import { createSharedKeySet } from './shared-keys';
import { type AdapterKind, createRedisAdapter } from './adapter';
import { createRedisCounters } from './counters';

export type { AdapterKind } from './adapter';
import type { SigningKey } from '../../auth/keys';
import type { Logger } from '../../logger';
import type { Clock } from '../../domain/clock';
import { createRedisStores } from './stores';
import { guarded, withDeadline } from './deadline';
import { redisKeys } from './keys';
import { RedisWebhookQueue } from './webhook-queue';
import { type AnyRedisClient, type RedisClientOptions, createRedisClient } from './client';
import type { Backend } from '../types';

export interface RedisBackendOptions extends RedisClientOptions {
  url: string;
  prefix: string;
  /** The configured signing key; null shares one generated key through Redis. */
  signingKey: SigningKey | null;
  /** Longest life of any token we sign, in ms: how long old public keys stay published. */
  keyRetainMs: number;
  adapter?: AdapterKind;
  /** Give up starting when Redis does not answer within this. @default 10000 */
  connectTimeoutMs?: number;
  logger: Logger;
  now: Clock;
}

export async function createRedisBackend(options: RedisBackendOptions): Promise<Backend> {
  const { url, prefix, logger, now } = options;
  const data = createRedisClient(url, 'data', logger, options);
  const pub = createRedisClient(url, 'pub', logger, options);
  const sub = createRedisClient(url, 'sub', logger, options);
  const clients = [data, pub, sub];
  try {
    const connecting = clients.map((client) => client.connect());
    // Given up on below, a connect still pending rejects when destroyed: not an unhandled error.
    for (const attempt of connecting) attempt.catch(() => undefined);
    await withDeadline(Promise.all(connecting), options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    await Promise.all(clients.map((client) => client.destroy()));
    throw new Error(`cannot reach Redis (${describe(url)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  const shared = await createSharedKeySet({
    client: data,
    prefix,
    configured: options.signingKey,
    retainMs: options.keyRetainMs,
    now,
    logger,
  });
  const adapter = createRedisAdapter(pub, sub, redisKeys(prefix).adapterChannel, options.adapter ?? 'classic');

  // Any connection of this instance that drops may cost a push: the publish of a transition
  // whose reply was lost, or messages for this instance's rooms while `sub` was away. Once
  // every connection is back, the listeners (server/app.ts) re-send the stored state.
  const resumeListeners = new Set<() => void>();
  let interrupted = false;
  for (const client of clients) {
    client.on('error', () => {
      interrupted = true;
    });
    client.on('ready', () => {
      if (!interrupted || !clients.every((each) => each.isReady)) return;
      interrupted = false;
      for (const listener of resumeListeners) listener();
    });
  }

  const stores = createRedisStores(data, prefix, now);
  return {
    name: 'redis',
    location: describe(url),
    stores,
    keys: shared.keys,
    counters: createRedisCounters(data, prefix),
    webhookQueue: new RedisWebhookQueue(data, prefix, now),
    adapter,
    async ping() {
      await stores.ping();
      if (!sub.isReady || !pub.isReady) throw new Error('redis pub/sub connection down');
    },
    async sharedDemoSecret(candidate) {
      const key = redisKeys(prefix).demoAppSecret;
      await guarded(data.set(key, candidate, { NX: true }));
      const stored = await guarded(data.get(key));
      return stored === null ? candidate : String(stored);
    },
    onResume(listener) {
      resumeListeners.add(listener);
      return () => resumeListeners.delete(listener);
    },
    async close() {
      shared.close();
      resumeListeners.clear();
      await Promise.all(clients.map((client) => closeQuietly(client)));
    },
  };
}

/**
 * Closes gracefully when connected (pending replies are awaited, for at most a second); a
 * client that is reconnecting, or a Redis that does not answer, is cut off instead.
 */
async function closeQuietly(client: AnyRedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) {
    try {
      await withDeadline(client.close(), 1_000);
      return;
    } catch {
      // fall through: cut it off
    }
  }
  if (client.isOpen) client.destroy();
}

/** host:port/db of a Redis URL, without credentials. */
export function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'unparsable URL';
  }
}
