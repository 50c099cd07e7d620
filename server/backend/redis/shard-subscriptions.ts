/**
 * @module
 * The sharded adapter's subscriptions, kept alive. `@socket.io/redis-adapter` subscribes to a
 * room's shard channel once, when the room is created, without waiting and without ever trying
 * again. Here `sSubscribe` of the `sub` client is watched:
 * - a join waits until its room's channel is subscribed (`settled`), so a subscriber's snapshot
 *   is read only when no later push can pass it by;
 * - a subscription that fails (its node died before it answered) is tried again, with backoff,
 *   while the room is wanted; each attempt has 3 s (one queued for a node that is gone may
 *   wait long) — a late success of an earlier one adds nothing, the adapter's handler is one
 *   function, kept once per channel;
 * - every wanted channel that the link no longer holds (a master left the slot map with it,
 *   whoever re-read the map) is subscribed again when the link comes back up and every 5 s.
 * Otherwise a room would stay deaf to every later push, and a confirmed login would be lost.
 */
import { AppError } from '../../errors';
import { REDIS_DEADLINE_MS, withDeadline } from './deadline';
import type { RedisLink } from './link';

/** Attempts at one channel's subscription before it is given up (about two minutes in all). */
const SUBSCRIBE_ATTEMPTS = 40;
/** How long one attempt may take before the next is made. */
const ATTEMPT_MS = 3_000;
/** How often the wanted channels are checked against the ones the link holds. */
const RECONCILE_MS = 5_000;

type Subscribe = (channel: string, rest: unknown[]) => unknown;

interface Wanted {
  /** The adapter's own arguments after the channel (its handler, buffer mode). */
  rest: unknown[];
  attempt: Promise<void>;
  held: boolean;
}

export class ShardSubscriptions {
  private readonly wanted = new Map<string, Wanted>();
  private closed = false;
  private subscribe: Subscribe | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly link: RedisLink) {
    link.on('up', () => this.reconcile());
    this.timer = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.timer.unref();
  }

  /** `client` with its `sSubscribe` / `sUnsubscribe` watched. */
  watch<T extends object>(client: T): T {
    const raw: unknown = Reflect.get(client, 'sSubscribe', client);
    if (typeof raw === 'function') this.subscribe = (channel, rest) => Reflect.apply(raw, client, [channel, ...rest]) as unknown;
    return new Proxy(client, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property === 'sSubscribe') return (channel: string, ...rest: unknown[]) => this.start(channel, rest);
        if (property === 'sUnsubscribe') {
          return (channel: string | string[], ...rest: unknown[]) => {
            for (const each of Array.isArray(channel) ? channel : [channel]) this.wanted.delete(each);
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
    const entry = this.wanted.get(channel);
    if (!entry) return;
    try {
      await withDeadline(entry.attempt, REDIS_DEADLINE_MS, 'subscription');
    } catch (error) {
      throw new AppError('UNAVAILABLE', { cause: error, retryAfter: 1 });
    }
  }

  /** No more attempts: the adapter is closing. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** Subscribes again every wanted channel the link does not hold (and no attempt is on). */
  reconcile(): void {
    if (this.closed) return;
    for (const [channel, entry] of this.wanted) {
      if (entry.held && !this.link.holdsShardChannel(channel)) void this.start(channel, entry.rest);
    }
  }

  private start(channel: string, rest: unknown[]): Promise<void> {
    const entry: Wanted = { rest, attempt: Promise.resolve(), held: false };
    const isWanted = () => !this.closed && this.wanted.get(channel) === entry;
    const attempt = async (tries: number): Promise<void> => {
      try {
        await withDeadline(Promise.resolve(this.subscribe?.(channel, rest)), ATTEMPT_MS, 'subscription');
        if (isWanted()) entry.held = true;
      } catch (error) {
        if (tries + 1 >= SUBSCRIBE_ATTEMPTS || !isWanted()) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** tries)));
        if (!isWanted()) throw error;
        return attempt(tries + 1);
      }
    };
    entry.attempt = Promise.resolve().then(() => attempt(0));
    this.wanted.set(channel, entry);
    entry.attempt.catch(() => {
      // Given up: the next reconcile (or the room's next join) starts over.
      if (this.wanted.get(channel) === entry) entry.held = true;
    });
    return entry.attempt;
  }
}
