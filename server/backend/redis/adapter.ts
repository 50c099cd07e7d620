/**
 * @module
 * The Socket.IO adapter that carries room emits between instances over Redis pub/sub.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { ServerOptions } from 'socket.io';
import type { AnyRedisClient } from './client';

/**
 * `classic`: one pattern subscription per instance, every emit reaches every instance.
 * `sharded`: Redis 7 sharded pub/sub, one channel per room, subscribed while the room has
 * local sockets. The README's "Choosing the adapter" has the measurements behind the default.
 */
export type AdapterKind = 'classic' | 'sharded';

/** The adapter factory Socket.IO takes, on the `pub` and `sub` connections. */
export function createRedisAdapter(
  pub: AnyRedisClient,
  sub: AnyRedisClient,
  channelPrefix: string,
  kind: AdapterKind,
): ServerOptions['adapter'] {
  const makeAdapter =
    kind === 'sharded'
      ? createShardedAdapter(pub, sub, { channelPrefix, subscriptionMode: 'dynamic' })
      : createAdapter(pub, sub, { key: channelPrefix });
  // Closing an adapter unsubscribes without awaiting; while Redis is unreachable those
  // commands would wait in the queue and reject unhandled when the client is destroyed.
  // The connection goes away with the backend anyway, so skip them then.
  // A plain function: Socket.IO calls the adapter factory with `new`.
  const adapter = function (nsp: Parameters<typeof makeAdapter>[0]) {
    const instance = makeAdapter(nsp);
    const close = instance.close.bind(instance);
    instance.close = () => (sub.isReady ? close() : undefined);
    return instance;
  };
  return adapter;
}
