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

/** Attempts at one channel's subscription before it is given up (about two minutes in all). */
const SUBSCRIBE_ATTEMPTS = 40;
/** How long one attempt may take before the next is made. */
const ATTEMPT_MS = 3_000;

/**
 * The sharded adapter's subscriptions: `sSubscribe` of the `sub` client is watched and its
 * promise kept per channel until the channel is unsubscribed. The adapter subscribes once, when
 * a room is created, and never again; a subscription that fails (its node died before it
 * answered, its slot moved) is tried again here, with backoff, for as long as the room is
 * wanted: otherwise the room would stay deaf to every later push. A join waits for it.
 */
class Subscriptions {
  private readonly pending = new Map<string, Promise<void>>();
  private closed = false;

  /** `client` with its `sSubscribe` / `sUnsubscribe` watched. */
  watch<T extends object>(client: T): T {
    const pending = this.pending;
    const isOpen = () => !this.closed;
    return new Proxy(client, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property === 'sSubscribe') {
          return (channel: string, ...rest: unknown[]) => {
            const once = () => Promise.resolve(Reflect.apply(value, target, [channel, ...rest]) as unknown);
            const wanted = () => isOpen() && pending.get(channel) === subscribed;
            const attempt = async (tries: number): Promise<void> => {
              try {
                // An attempt queued for a node that is gone may wait long: go by the current
                // slot map again instead (a late success of the old one adds nothing: the
                // adapter's handler is one function, kept once per channel).
                await withDeadline(once(), ATTEMPT_MS, 'subscription');
              } catch (error) {
                if (tries + 1 >= SUBSCRIBE_ATTEMPTS || !wanted()) throw error;
                await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** tries)));
                if (!wanted()) throw error;
                return attempt(tries + 1);
              }
            };
            const subscribed: Promise<void> = Promise.resolve().then(() => attempt(0));
            pending.set(channel, subscribed);
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

  /** No more attempts: the adapter is closing. */
  close(): void {
    this.closed = true;
  }
}
