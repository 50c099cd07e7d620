/**
 * Every storage contract against a real Redis Cluster (3 masters, 1 replica each, started from
 * the machine's redis-server for this file): the stores, the OpenID Connect store, the sign-ins,
 * the webhook queue, the QR deadlines and the whole backend (shared signing key, JWKS, rate
 * counters, demo secret). Each runs on the cluster link the server uses (server/backend/redis/
 * cluster.ts), so a script naming keys of two slots would fail here with CROSSSLOT.
 */
import { createRedisBackend } from '../../server/backend/redis';
import { clusterLink } from '../../server/backend/redis/cluster';
import type { RedisCommands } from '../../server/backend/redis/client';
import type { RedisLink } from '../../server/backend/redis/link';
import { RedisOidcStore } from '../../server/backend/redis/oidc-store';
import { RedisQrDeadlines } from '../../server/backend/redis/qr-deadlines';
import { RedisSignInStore } from '../../server/backend/redis/sign-in-store';
import { RedisQrStore, RedisRevokedTokens, RedisScanIndex, RedisUserStore } from '../../server/backend/redis/stores';
import { RedisWebhookQueue } from '../../server/backend/redis/webhook-queue';
import { createLogger } from '../../server/logger';
import { backendContract } from '../contract/backend.contract';
import { oidcStoreContract } from '../contract/oidc-store.contract';
import { qrDeadlinesContract } from '../contract/qr-deadlines.contract';
import { signInStoreContract } from '../contract/sign-in-store.contract';
import { storeContract } from '../contract/store.contract';
import { webhookQueueContract } from '../contract/webhook-queue.contract';
import { uniquePrefix } from '../helpers/cluster';
import { type ThrowawayRedisCluster, startRedisCluster } from '../helpers/redis-cluster';
import type { StoreUnderTest } from '../helpers/store-under-test';
import { movableClock, sleep } from '../helpers/time';

jest.setTimeout(60_000);

let cluster: ThrowawayRedisCluster;
const seeds = () => cluster.seeds.map((seed) => `redis://${seed}`);

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.dispose();
});

async function connect(): Promise<RedisLink> {
  const link = clusterLink(seeds(), 'data', createLogger('silent'), {});
  await link.connect();
  return link;
}

/** A store made by `make` on the cluster under a fresh prefix (the cluster is thrown away after the file). */
async function clusterStoreUnderTest<T>(make: (client: RedisCommands, prefix: string) => T): Promise<StoreUnderTest<T>> {
  const links = [await connect()];
  const prefix = uniquePrefix();
  return {
    store: make((links[0] as RedisLink).commands, prefix),
    clock: { now: Date.now, advance: sleep },
    sibling: async () => {
      const other = await connect();
      links.push(other);
      return make(other.commands, prefix);
    },
    cleanup: async () => {
      await Promise.all(links.map((link) => link.close()));
    },
  };
}

storeContract('redis cluster', async () => {
  const { store: client, cleanup } = await clusterStoreUnderTest((commands) => commands);
  const prefix = uniquePrefix();
  return {
    store: new RedisQrStore(client, prefix, Date.now),
    users: new RedisUserStore(client, prefix),
    scans: new RedisScanIndex(client, prefix, Date.now),
    revoked: new RedisRevokedTokens(client, prefix, Date.now),
    clock: { now: Date.now, advance: sleep },
    cleanup,
  };
});

oidcStoreContract(
  'redis cluster',
  async () => {
    const { store, ...rest } = await clusterStoreUnderTest((client, prefix) => new RedisOidcStore(client, prefix, Date.now));
    return { oidc: store, ...rest };
  },
  { shared: true },
);

signInStoreContract(
  'redis cluster',
  async () => {
    const { store, ...rest } = await clusterStoreUnderTest((client, prefix) => new RedisSignInStore(client, prefix, Date.now));
    return { signIns: store, ...rest };
  },
  { shared: true },
);

webhookQueueContract(
  'redis cluster',
  async () => {
    const clock = movableClock(Date.now());
    const { store, sibling, cleanup } = await clusterStoreUnderTest((client, prefix) => new RedisWebhookQueue(client, prefix, clock.now));
    return { queue: store, clock, sibling, cleanup };
  },
  true,
);

qrDeadlinesContract(
  'redis cluster',
  async () => {
    const clock = movableClock(Date.now());
    const { store, sibling, cleanup } = await clusterStoreUnderTest((client, prefix) => new RedisQrDeadlines(client, prefix, clock.now));
    return { deadlines: store, clock, sibling, cleanup };
  },
  true,
);

let backendPrefix = uniquePrefix();
const makeBackend = () =>
  createRedisBackend({
    target: { kind: 'cluster', nodes: seeds() },
    prefix: backendPrefix,
    signingKey: null,
    keyRetainMs: 60_000,
    logger: createLogger('silent'),
    now: Date.now,
  });
beforeEach(() => {
  backendPrefix = uniquePrefix();
});
backendContract('redis cluster', { make: makeBackend, sibling: makeBackend });
