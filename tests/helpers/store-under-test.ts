/**
 * @module
 * A store of one kind (the OIDC store, the sign-in store…) set up for its contract suite, on
 * a real Redis or on the embedded LMDB store: the store, the clock its entries end by, and
 * what the backend offers beyond one process (`sibling`: another connection on the same keys;
 * `reopen`: the same folder after closing), and the cleanup.
 */
import { createClient } from 'redis';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { type SyncMode, createEmbeddedStores } from '../../server/backend/embedded/stores';
import type { Stores } from '../../server/backend/stores';
import type { ContractClock } from '../contract/store-fixtures';
import { REDIS_URL, uniquePrefix } from './cluster';
import { type MovableClock, movableClock, sleep } from './time';

export interface StoreUnderTest<T> {
  store: T;
  clock: ContractClock;
  sibling?(): Promise<T>;
  reopen?(): Promise<T>;
  cleanup(): Promise<void>;
}

/** A connected client on the test Redis. */
export async function connectRedis(): Promise<AnyRedisClient> {
  const client: AnyRedisClient = createClient({ url: REDIS_URL });
  await client.connect();
  return client;
}

/** Deletes every key under `prefix`. */
export async function deleteByPrefix(client: AnyRedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

/**
 * A store made by `make` on the test Redis under a fresh prefix; real time (entries end by Redis
 * TTLs) unless `make` gives the store a clock of the test's own (then `clock` here is unused).
 */
export async function redisStoreUnderTest<T>(make: (client: AnyRedisClient, prefix: string) => T): Promise<StoreUnderTest<T>> {
  const client = await connectRedis();
  const others: AnyRedisClient[] = [];
  const prefix = uniquePrefix();
  return {
    store: make(client, prefix),
    clock: { now: Date.now, advance: sleep },
    sibling: async () => {
      const other = await connectRedis();
      others.push(other);
      return make(other, prefix);
    },
    cleanup: async () => {
      await deleteByPrefix(client, prefix);
      await Promise.all([client, ...others].map((each) => each.close()));
    },
  };
}

/** The store `pick` chooses of embedded stores in `path`, on a clock standing at `start`; `reopen` closes and opens the folder again. */
export function embeddedStoreUnderTest<T>(
  path: string,
  start: number,
  sync: SyncMode,
  pick: (stores: Stores) => T,
): StoreUnderTest<T> & { clock: MovableClock } {
  const clock = movableClock(start);
  let stores = createEmbeddedStores(path, clock.now, { sync });
  return {
    store: pick(stores),
    clock,
    reopen: async () => {
      await stores.close();
      stores = createEmbeddedStores(path, clock.now, { sync });
      return pick(stores);
    },
    cleanup: () => stores.close(),
  };
}

/**
 * For a `describe` that looks at a Redis store's keys: before each test, a fresh client and
 * prefix handed to `use`; after it, the prefix's keys deleted and the client closed.
 * `keysUnder()` lists the current prefix's keys without the prefix, sorted.
 */
export function useRedisPrefix(use: (client: AnyRedisClient, prefix: string) => void): { keysUnder(): Promise<string[]> } {
  let client: AnyRedisClient | undefined;
  let prefix = '';
  beforeEach(async () => {
    client = await connectRedis();
    prefix = uniquePrefix();
    use(client, prefix);
  });
  afterEach(async () => {
    if (!client) return;
    await deleteByPrefix(client, prefix);
    await client.close();
  });
  return {
    async keysUnder() {
      const keys: string[] = [];
      if (!client) return keys;
      for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch.map(String));
      return keys.map((key) => key.slice(prefix.length)).sort();
    },
  };
}
