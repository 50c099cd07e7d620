/**
 * @module
 * The embedded default: memory stores and one local key. One instance only.
 */
import { type SigningKey, createKeySet, generateSigningKey } from '../../auth/keys';
import { createMemoryCounters } from './counters';
import type { Clock } from '../../domain/clock';
import { createMemoryStores } from './stores';
import { MemoryWebhookQueue } from './webhook-queue';
import type { Backend } from '../types';

export function createMemoryBackend(now: Clock, signingKey: SigningKey = generateSigningKey().key): Backend {
  const stores = createMemoryStores(now);
  const counters = createMemoryCounters(now);
  return {
    name: 'memory',
    stores,
    keys: createKeySet(signingKey),
    counters,
    webhookQueue: new MemoryWebhookQueue(now),
    ping: () => stores.ping(),
    onResume: () => () => undefined,
    sharedDemoSecret: async (candidate) => candidate,
    close: () => {
      counters.close();
      return stores.close();
    },
  };
}
