/**
 * @module
 * A link to a Redis Cluster (`REDIS_CLUSTER_NODES`): one node-redis cluster client per role,
 * every node with the role's connection options (./client.ts).
 *
 * node-redis learns the slot map at start and again only when a node answers `MOVED`. A master
 * that dies answers nothing, so after its replica is promoted the client would keep trying the
 * dead address (node-redis issue #2806); and after a coordinated failover (`CLUSTER FAILOVER`)
 * a link that sent nothing to that shard is not told at all. Here the map is read again
 * whenever a node fails (every 500 ms until every master answers), and once a second one live
 * master is asked for its slot map (`CLUSTER SLOTS`): when its masters differ from the link's,
 * the map is read again. The sharded subscriptions of a master that left the map are made
 * again on the new owner of their slots.
 *
 * A message published to a shard channel while its subscription is moving to the slot's new
 * master is lost. So whenever the masters change (a failover, whoever noticed it) the link
 * reports `down` then `up`, 250 ms and again 2 s later: the instance re-sends its subscribers
 * the stored state of their QR codes (server/app.ts), after the subscriptions have moved.
 */
import calculateSlot from 'cluster-key-slot';
import { createCluster } from 'redis';
import type { Logger } from '../../logger';
import { type AnyRedisCluster, type RedisClientOptions, type RedisRole, connectionOptions, logOutages } from './client';
import { withDeadline } from './deadline';
import type { RedisLink } from './link';

/** After a node fails, how soon and how often the slot map is read again until all answer. */
const RETRY_MS = 500;
/** How often a live master is asked whether the masters changed. */
const MOVE_CHECK_MS = 1_000;
/** After the masters changed, when the link reports down/up (so the instance resyncs). */
const RESYNC_AFTER_MS = [250, 2_000];

type Master = AnyRedisCluster['masters'][number];
type ShardedListeners = ReturnType<NonNullable<Master['pubSub']>['client']['getPubSubListeners']>;

export function clusterLink(nodes: readonly string[], role: RedisRole, logger: Logger, options: RedisClientOptions): RedisLink {
  const tls = nodes.every((node) => node.startsWith('rediss:'));
  const cluster: AnyRedisCluster = createCluster({
    rootNodes: nodes.map((url) => ({ url })),
    defaults: connectionOptions(role, options, tls),
    // Enough redirections to ride out a failover's MOVED / TRYAGAIN answers.
    maxCommandRedirections: 32,
  });
  logOutages(relay(cluster), role, logger);
  const listeners = { down: new Set<() => void>(), up: new Set<() => void>() };
  let down = false;
  let retry: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | null = null;

  const announce = (event: 'down' | 'up') => {
    for (const listener of listeners[event]) listener();
  };
  const mastersOf = () =>
    cluster.masters
      .map((master) => master.address)
      .sort()
      .join(',');
  let masters = '';
  const resyncTimers = new Set<NodeJS.Timeout>();
  /** The masters changed: pushes may have been lost while the subscriptions moved. */
  const noticeMoves = () => {
    const now = mastersOf();
    if (now === masters || !healthy()) return;
    const first = masters === '';
    masters = now;
    if (first) return;
    logger.info('redis cluster masters changed', { role, masters: now });
    for (const delay of RESYNC_AFTER_MS) {
      const timer = setTimeout(() => {
        resyncTimers.delete(timer);
        announce('down');
        announce('up');
      }, delay);
      resyncTimers.add(timer);
    }
  };

  const healthy = () => cluster.isOpen && cluster.masters.length > 0 && cluster.masters.every((master) => master.client?.isReady === true);

  const refresh = async () => {
    const start = cluster.masters.find((master) => master.client?.isReady)?.client ?? cluster.masters[0]?.client;
    if (!start) return;
    const before = cluster.masters.map((master) => ({ address: master.address, sharded: copyListeners(master) }));
    // rediscover() reads only the start client's options; its declared type drops the type mapping.
    await cluster._slots.rediscover(start as unknown as Parameters<AnyRedisCluster['_slots']['rediscover']>[0]);
    const now = new Set(cluster.masters.map((master) => master.address));
    const orphaned: ShardedListeners = new Map();
    for (const { address, sharded } of before) {
      if (now.has(address)) continue;
      for (const [channel, held] of sharded) orphaned.set(channel, held);
    }
    if (orphaned.size > 0) cluster.resubscribeAllPubSubListeners({ SHARDED: orphaned });
  };

  const check = () => {
    if (retry || !cluster.isOpen) return;
    retry = setTimeout(() => {
      refreshing ??= refresh()
        .catch((error: unknown) => logger.debug('redis cluster slot map not read', { role, error }))
        .finally(() => {
          refreshing = null;
          retry = undefined;
          if (healthy()) {
            noticeMoves();
            if (down) {
              down = false;
              announce('up');
            }
          } else check();
        });
    }, RETRY_MS);
  };

  cluster.on('node-error', () => {
    if (!down) {
      down = true;
      announce('down');
    }
    check();
  });
  /** Whether a live master's slot map names other masters than the link knows. */
  const outdated = async (): Promise<boolean> => {
    const client = cluster.masters.find((master) => master.client?.isReady)?.client;
    if (!client) return false;
    const shards = await withDeadline(client.clusterSlots(), 1_000);
    const named = [...new Set(shards.map((shard) => `${shard.master.host}:${shard.master.port}`))].sort().join(',');
    return named !== mastersOf();
  };
  const moves = setInterval(() => {
    if (retry || refreshing || !cluster.isOpen) return;
    noticeMoves();
    outdated()
      .then((stale) => {
        if (stale) check();
      })
      .catch(() => undefined);
  }, MOVE_CHECK_MS);
  moves.unref();

  return {
    role,
    commands: cluster,
    pubsub: cluster,
    isReady: healthy,
    async connect() {
      await cluster.connect();
      masters = mastersOf();
    },
    async ping() {
      if (!healthy()) throw new Error('a redis cluster master is unreachable');
      await Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).ping()));
    },
    async waitReplicas(key, replicas, timeoutMs) {
      return Number(await cluster.sendCommand(key, false, ['WAIT', String(replicas), String(timeoutMs)]));
    },
    nodeOf: (key) => cluster.slots[calculateSlot(key)]?.master.address ?? '',
    holdsShardChannel(channel) {
      const master = cluster.slots[calculateSlot(channel)]?.master;
      return master?.pubSub?.client.getPubSubListeners('SHARDED').has(channel) === true;
    },
    on(event, listener) {
      listeners[event].add(listener);
    },
    async close() {
      stop();
      if (!cluster.isOpen) return;
      try {
        await withDeadline(cluster.close(), 1_000);
      } catch {
        if (cluster.isOpen) cluster.destroy();
      }
    },
    destroy() {
      stop();
      if (cluster.isOpen) cluster.destroy();
    },
  };

  function stop() {
    clearInterval(moves);
    for (const timer of resyncTimers) clearTimeout(timer);
    resyncTimers.clear();
    clearTimeout(retry);
    retry = undefined;
  }
}

/** A master's sharded subscriptions, copied: its client is destroyed when it leaves the map. */
function copyListeners(master: Master): ShardedListeners {
  const copy: ShardedListeners = new Map();
  for (const [channel, held] of master.pubSub?.client.getPubSubListeners('SHARDED') ?? []) {
    copy.set(channel, { unsubscribing: held.unsubscribing, buffers: new Set(held.buffers), strings: new Set(held.strings) });
  }
  return copy;
}

/** The cluster's node events as `error` / `ready`, for logOutages. */
function relay(cluster: AnyRedisCluster) {
  return {
    on(event: string, listener: (...args: unknown[]) => void) {
      cluster.on(event === 'error' ? 'node-error' : 'node-ready', listener);
      return this;
    },
  };
}
