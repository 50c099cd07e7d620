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
export type { RedisTarget } from './link';
import type { SigningKey } from '../../auth/keys';
import type { Logger } from '../../logger';
import type { Clock } from '../../domain/clock';
import { onceEvery } from '../../log-throttle';
import { type ReplicaWait, createRedisStores } from './stores';
import { guarded, withDeadline } from './deadline';
import { redisKeys } from './keys';
import { RedisWebhookQueue } from './webhook-queue';
import type { RedisClientOptions, RedisRole } from './client';
import { clusterLink } from './cluster';
import { type RedisLink, type RedisTarget, describeTarget, standaloneLink } from './link';
import type { Backend } from '../types';

/** How long a confirmation waits for its replicas (`REDIS_WAIT_REPLICAS`) before it is answered anyway. */
export const REPLICA_WAIT_MS = 250;

export interface RedisBackendOptions extends RedisClientOptions {
  /** One Redis (`REDIS_URL`) or a Cluster's seed nodes (`REDIS_CLUSTER_NODES`). */
  target: RedisTarget;
  prefix: string;
  /** The configured signing key; null shares one generated key through Redis. */
  signingKey: SigningKey | null;
  /** Longest life of any token we sign, in ms: how long old public keys stay published. */
  keyRetainMs: number;
  /** @default 'sharded' on a Cluster, else 'classic' */
  adapter?: AdapterKind;
  /** Replicas that must hold a confirmation before it is answered (`WAIT`). @default 0 */
  waitReplicas?: number;
  /** Give up starting when Redis does not answer within this. @default 10000 */
  connectTimeoutMs?: number;
  logger: Logger;
  now: Clock;
}

export async function createRedisBackend(options: RedisBackendOptions): Promise<Backend> {
  const { target, prefix, logger, now } = options;
  const open = (role: RedisRole): RedisLink =>
    target.kind === 'cluster' ? clusterLink(target.nodes, role, logger, options) : standaloneLink(target.url, role, logger, options);
  const data = open('data');
  const pub = open('pub');
  const sub = open('sub');
  const links = [data, pub, sub];
  try {
    const connecting = links.map((link) => link.connect());
    // Given up on below, a connect still pending rejects when destroyed: not an unhandled error.
    for (const attempt of connecting) attempt.catch(() => undefined);
    await withDeadline(Promise.all(connecting), options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    for (const link of links) link.destroy();
    throw new Error(`cannot reach Redis (${describeTarget(target)}): ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }

  const shared = await createSharedKeySet({
    client: data.commands,
    prefix,
    configured: options.signingKey,
    retainMs: options.keyRetainMs,
    now,
    logger,
  });
  const adapterKind = options.adapter ?? (target.kind === 'cluster' ? 'sharded' : 'classic');
  const adapter = createRedisAdapter(pub, sub, redisKeys(prefix).adapterChannel, adapterKind);

  // Any connection of this instance that drops may cost a push: the publish of a transition
  // whose reply was lost, or messages for this instance's rooms while `sub` was away. Once
  // every connection is back, the listeners (server/app.ts) re-send the stored state.
  // Several links (and, on a Cluster, several notices of one failover) come back together:
  // the listeners run once for them, 100 ms after the first.
  const resumeListeners = new Set<() => void>();
  let interrupted = false;
  let resuming: NodeJS.Timeout | undefined;
  for (const link of links) {
    link.on('down', () => {
      interrupted = true;
    });
    link.on('up', () => {
      if (!interrupted || !links.every((each) => each.isReady())) return;
      interrupted = false;
      resuming ??= setTimeout(() => {
        resuming = undefined;
        for (const listener of resumeListeners) listener();
      }, 100);
    });
  }

  const stores = createRedisStores(data, prefix, now, replicaWait(data, options.waitReplicas ?? 0, logger, now));
  return {
    name: 'redis',
    location: describeTarget(target),
    stores,
    keys: shared.keys,
    counters: createRedisCounters(data.commands, prefix),
    webhookQueue: new RedisWebhookQueue(data.commands, prefix, now),
    adapter,
    async ping() {
      await stores.ping();
      if (!sub.isReady() || !pub.isReady()) throw new Error('redis pub/sub connection down');
    },
    async sharedDemoSecret(candidate) {
      const key = redisKeys(prefix).demoAppSecret;
      await guarded(data.commands.set(key, candidate, { NX: true }));
      const stored = await guarded(data.commands.get(key));
      return stored === null ? candidate : String(stored);
    },
    onResume(listener) {
      resumeListeners.add(listener);
      return () => resumeListeners.delete(listener);
    },
    async close() {
      shared.close();
      clearTimeout(resuming);
      resumeListeners.clear();
      await Promise.all(links.map((link) => link.close()));
    },
  };
}

/** After a `WAIT` came back short, how long confirmations on that node do not wait. */
const REPLICA_SKIP_MS = 5_000;

interface NodeWait {
  running: Promise<void> | null;
  next: Promise<void> | null;
  skipUntil: number;
}

/**
 * `WAIT replicas` after each confirmation and each ticket taken, so that a failover can neither
 * take back a login the phone was told succeeded nor let a redeemed ticket work again. `WAIT`
 * holds back every later command on its connection, so each node has at most one in flight: a
 * write made while one runs waits for the next, which covers every write before it (group
 * commit). Replicas that do not answer within 250 ms do not fail the write (Redis made it, the
 * phone is told so); that node is then not waited for during 5 s, and it is logged at most once
 * a minute.
 */
function replicaWait(data: RedisLink, replicas: number, logger: Logger, now: Clock): ReplicaWait | undefined {
  if (replicas <= 0) return undefined;
  const mayLog = onceEvery(60_000);
  const nodes = new Map<string, NodeWait>();
  const send = async (key: string, state: NodeWait) => {
    const acknowledged = await data.waitReplicas(key, replicas, REPLICA_WAIT_MS).catch(() => -1);
    if (acknowledged >= replicas) return;
    state.skipUntil = now() + REPLICA_SKIP_MS;
    if (mayLog('wait')) {
      logger.warn('a write is answered before its replicas hold it; not waiting for them for 5 s', {
        wanted: replicas,
        acknowledged: Math.max(acknowledged, 0),
      });
    }
  };
  const waitOn = (key: string, state: NodeWait): Promise<void> => {
    if (!state.running) {
      const running = send(key, state).finally(() => {
        if (state.running === running) state.running = null;
      });
      state.running = running;
      return running;
    }
    state.next ??= state.running.then(() => {
      state.next = null;
      return waitOn(key, state);
    });
    return state.next;
  };
  return async (key) => {
    const node = data.nodeOf(key);
    let state = nodes.get(node);
    if (!state) {
      state = { running: null, next: null, skipUntil: 0 };
      nodes.set(node, state);
    }
    if (state.skipUntil > now()) return;
    await waitOn(key, state);
  };
}
