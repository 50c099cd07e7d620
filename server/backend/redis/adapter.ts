/**
 * @module
 * The Socket.IO adapter that carries room emits between instances over Redis pub/sub.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { ServerOptions } from 'socket.io';
import type { RedisLink } from './link';
import { ShardSubscriptions } from './shard-subscriptions';

/**
 * `classic`: one pattern subscription per instance, every emit reaches every instance.
 * `sharded`: Redis 7 sharded pub/sub (`SPUBLISH`), one channel per room, subscribed while the
 * room has local sockets; the one that works on a Redis Cluster. The README's "Choosing the
 * adapter" has the measurements behind the default.
 */
export type AdapterKind = 'classic' | 'sharded';

/** The adapter factory Socket.IO takes, on the `pub` and `sub` links. */
export function createRedisAdapter(pub: RedisLink, sub: RedisLink, channelPrefix: string, kind: AdapterKind): ServerOptions['adapter'] {
  const subscriptions = new ShardSubscriptions(sub);
  const makeAdapter =
    kind === 'sharded'
      ? createShardedAdapter(pub.pubsub, subscriptions.watch(sub.pubsub), { channelPrefix, subscriptionMode: 'dynamic' })
      : createAdapter(pub.pubsub, sub.pubsub, { key: channelPrefix });
  // A plain function: Socket.IO calls the adapter factory with `new`.
  const adapter = function (nsp: Parameters<typeof makeAdapter>[0]) {
    const instance = makeAdapter(nsp);
    // Closing an adapter unsubscribes without awaiting; while Redis is unreachable those
    // commands would wait in the queue and reject unhandled when the client is destroyed.
    // The connection goes away with the backend anyway, so skip them then.
    const close = instance.close.bind(instance);
    instance.close = () => {
      subscriptions.close();
      return sub.isReady() ? close() : undefined;
    };
    if (kind === 'sharded') {
      // The sharded adapter subscribes to a room's channel when the room is created, without
      // waiting for Redis to confirm. `socket.join()` returns what `addAll` returns: here, a
      // promise settled once every new room's channel is subscribed, so a subscriber's
      // snapshot is read only when no later push can pass it by.
      const addAll = instance.addAll.bind(instance);
      instance.addAll = (id, rooms) => {
        const added = addAll(id, rooms);
        const pending = [...rooms].map((room) => subscriptions.settled(`${channelPrefix}#${nsp.name}#${room}#`));
        return Promise.all([added, ...pending]).then(() => undefined);
      };
    }
    return instance;
  };
  return adapter;
}
