/**
 * @module
 * The Socket.IO adapter that carries room emits between instances over Redis pub/sub.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { ServerOptions } from 'socket.io';
import { AppError } from '../../errors';
import { REDIS_DEADLINE_MS, withDeadline } from './deadline';
import type { RedisLink } from './link';

/**
 * `classic`: one pattern subscription per instance, every emit reaches every instance.
 * `sharded`: Redis 7 sharded pub/sub (`SPUBLISH`), one channel per room, subscribed while the
 * room has local sockets; the one that works on a Redis Cluster. The README's "Choosing the
 * adapter" has the measurements behind the default.
 */
export type AdapterKind = 'classic' | 'sharded';

/** The adapter factory Socket.IO takes, on the `pub` and `sub` links. */
export function createRedisAdapter(pub: RedisLink, sub: RedisLink, channelPrefix: string, kind: AdapterKind): ServerOptions['adapter'] {
  const subscriptions = new Subscriptions();
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
    instance.close = () => (sub.isReady() ? close() : undefined);
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

/**
 * The sharded adapter's subscriptions: `sSubscribe` of the `sub` client is watched, its
 * promise kept per channel until the channel is unsubscribed; a failure reaches the subscriber
 * that waits for it, never as an unhandled rejection.
 */
class Subscriptions {
  private readonly pending = new Map<string, Promise<void>>();

  /** `client` with its `sSubscribe` / `sUnsubscribe` watched. */
  watch<T extends object>(client: T): T {
    const pending = this.pending;
    return new Proxy(client, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property === 'sSubscribe') {
          return (channel: string, ...rest: unknown[]) => {
            const subscribed = Promise.resolve(Reflect.apply(value, target, [channel, ...rest]) as unknown).then(() => undefined);
            if (typeof channel === 'string') pending.set(channel, subscribed);
            // A failed subscription is not remembered: the cluster link subscribes again when
            // the slot's new master is known (./cluster.ts); the subscriber that waited retries.
            subscribed.catch(() => {
              if (pending.get(channel) === subscribed) pending.delete(channel);
            });
            return subscribed;
          };
        }
        if (property === 'sUnsubscribe') {
          return (channel: string | string[], ...rest: unknown[]) => {
            for (const each of Array.isArray(channel) ? channel : [channel]) pending.delete(each);
            // Nobody awaits an unsubscription; one that fails (the connection is closing or
            // gone) has nothing left to undo.
            return Promise.resolve(Reflect.apply(value, target, [channel, ...rest]) as unknown).catch(() => undefined);
          };
        }
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  }

  /** Resolves once `channel` is subscribed (at once for a channel not subscribed here). */
  async settled(channel: string): Promise<void> {
    const subscribed = this.pending.get(channel);
    if (!subscribed) return;
    try {
      await withDeadline(subscribed, REDIS_DEADLINE_MS, 'subscription');
    } catch (error) {
      throw new AppError('UNAVAILABLE', { cause: error, retryAfter: 1 });
    }
  }
}
