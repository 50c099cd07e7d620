/**
 * @module
 * The embedded default: memory stores and one local key. One instance only.
 */
import { type SigningKey, createKeySet, generateSigningKey } from '../auth/keys';
import { createMemoryCounters } from '../ratelimit/limiter';
import { type Clock, createMemoryStores } from '../store/memory';
import type { Backend } from './types';

export function createMemoryBackend(now: Clock, signingKey: SigningKey = generateSigningKey().key): Backend {
  const stores = createMemoryStores(now);
  return {
    name: 'memory',
    stores,
    keys: createKeySet(signingKey),
    counters: createMemoryCounters(now),
    ping: () => stores.ping(),
    onResume: () => () => undefined,
    close: () => stores.close(),
  };
}
