/**
 * @module
 * Redis stores (node-redis) with the memory store's semantics: every transition is one Lua
 * script with the version check, a ticket is written in the same script as the confirming
 * transition and taken with one script that the taking call may repeat after a lost reply, and
 * QR and ticket keys carry a TTL. Values are JSON.
 * Keys (./keys.ts): `<prefix>qr:{<tag>}<random>`, `<prefix>ticket:{<tag>}.<sha256>`,
 * `<prefix>ticket-taken:{<tag>}.<sha256>`,
 * `<prefix>user:<id>`, `<prefix>username:<lowercased>`, `<prefix>scans:<userId>`,
 * `<prefix>revoked:<jti>`; the OpenID Connect store's keys are described in ./oidc-store.ts, the
 * sign-ins' in ./sign-in-store.ts. A QR and its ticket share the hash tag `{<tag>}` (the QR's
 * shard tag, domain/secrets.ts), so the confirming script's two keys are in one Redis Cluster
 * slot, and the script taking a ticket moves it to its `ticket-taken` key in the same slot;
 * every other script touches one key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QrSession, TicketRecord } from '../../domain/qr-session';
import type { Clock } from '../../domain/clock';
import { type RedisCommands, reconnectDelay } from './client';
import { REDIS_DEADLINE_MS, guarded } from './deadline';
import { newRandom } from '../../domain/secrets';
import { redisKeys } from './keys';
import { RedisOidcStore } from './oidc-store';
import { RedisSignInStore } from './sign-in-store';
import { RedisQrDeadlines } from './qr-deadlines';
import type { RedisLink } from './link';
import type { NewTicket, QrStore, RevokedTokens, ScanIndex, Stores, UserRecord, UserStore } from '../stores';

export type { AnyRedisClient, RedisCommands } from './client';

/** Replace the session only if its stored version matches; write the ticket in the same step. */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current).version ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
if #KEYS > 1 then redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5]) end
return 1
`;

/**
 * Takes the ticket KEYS[1] for the claim ARGV[1] (fixed length): moves it to KEYS[2] (claim,
 * then record; for ARGV[2] ms) and returns the record. A taken ticket is returned again to the
 * same claim only (the taking call, after a lost reply); to any other, false.
 */
const TAKE_TICKET = `
local record = redis.call('GET', KEYS[1])
if record then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[1] .. record, 'PX', ARGV[2])
  return record
end
local taken = redis.call('GET', KEYS[2])
if taken and string.sub(taken, 1, #ARGV[1]) == ARGV[1] then return string.sub(taken, #ARGV[1] + 1) end
return false
`;

/**
 * How long, at most, a call taking a ticket keeps asking when Redis gives no answer (each
 * attempt included): a Redis that died after carrying out the take but before replying (a
 * crash, a failover) may have used up the ticket, and only the call holding the claim can still
 * have it. Past this, 503. Well under the 10 s that HTTP clients (the Node SDK) wait.
 */
export const TAKE_RETRY_MS = 6_000;
/** How long a taken ticket stays claimable by its taker: longer than any of its retries. */
const TAKEN_RETAIN_MS = 15_000;

const parse = <T>(text: string | Buffer | null): T | null => (text === null ? null : (JSON.parse(text.toString()) as T));
/** Milliseconds until `deadline`, at least 1 (PX 0 is an error). */
const ttl = (deadline: number, now: number) => String(Math.max(1, Math.ceil(deadline - now)));

/** A client, the keys under one prefix, and a clock: what every Redis store holds. */
abstract class RedisKeyed {
  protected readonly keys: ReturnType<typeof redisKeys>;
  constructor(
    protected readonly client: RedisCommands,
    prefix: string,
    protected readonly now: Clock = Date.now,
  ) {
    this.keys = redisKeys(prefix);
  }
}

/**
 * Waits, after a confirming write or a ticket taken, until replicas hold it (`WAIT`), so that a
 * failover cannot undo it once answered; resolves whatever they answer.
 */
export type ReplicaWait = (key: string) => Promise<void>;

export class RedisQrStore extends RedisKeyed implements QrStore {
  constructor(
    client: RedisCommands,
    prefix: string,
    now: Clock = Date.now,
    private readonly replicated?: ReplicaWait,
  ) {
    super(client, prefix, now);
  }

  async create(session: QrSession): Promise<boolean> {
    const reply = await guarded(
      this.client.set(this.keys.qr(session.random), JSON.stringify(session), {
        NX: true,
        PX: Number(ttl(session.retainUntil, this.now())),
      }),
    );
    return reply === 'OK';
  }

  async get(random: string): Promise<QrSession | null> {
    return parse<QrSession>(await guarded(this.client.get(this.keys.qr(random))));
  }

  async compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean> {
    const now = this.now();
    const keys = [this.keys.qr(next.random)];
    const args = [JSON.stringify(next), String(expectedVersion), ttl(next.retainUntil, now)];
    if (ticket) {
      keys.push(this.keys.ticket(ticket.hash));
      args.push(JSON.stringify(ticket.record), ttl(ticket.record.expireAt, now));
    }
    const written = (await guarded(this.client.eval(COMPARE_AND_SET, { keys, arguments: args }))) === 1;
    if (written && ticket && this.replicated) await this.replicated(keys[0] as string);
    return written;
  }

  async peekTicket(hash: string): Promise<TicketRecord | null> {
    const record = parse<TicketRecord>(await guarded(this.client.get(this.keys.ticket(hash))));
    return record && record.expireAt > this.now() ? record : null;
  }

  /**
   * Takes the ticket under a claim of this call's own, so that when Redis carries out the take
   * but its reply is lost (it crashed before answering, or its master failed over), the call can
   * ask again and still be the one that has it: it tries again, with backoff, for up to
   * `TAKE_RETRY_MS`. Nobody else ever learns the claim, so the ticket still works once.
   */
  async takeTicket(hash: string): Promise<TicketRecord | null> {
    const keys = [this.keys.ticket(hash), this.keys.ticketTaken(hash)];
    const args = [newRandom(), String(TAKEN_RETAIN_MS)];
    const at = this.now();
    const giveUpAt = Date.now() + TAKE_RETRY_MS;
    let reply: unknown;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const left = giveUpAt - Date.now();
        reply = await guarded(this.client.eval(TAKE_TICKET, { keys, arguments: args }), Math.min(REDIS_DEADLINE_MS, left));
        break;
      } catch (error) {
        // The connections' own backoff (100 ms doubling to 1 s, with jitter).
        const wait = reconnectDelay(attempt + 1, 1_000);
        // Another attempt only when it still has time for an answer.
        if (giveUpAt - Date.now() - wait < 250) throw error;
        await sleep(wait);
      }
    }
    const record = typeof reply === 'string' ? parse<TicketRecord>(reply) : null;
    // Taken: a failover must not bring the ticket back for a second exchange.
    if (record && this.replicated) await this.replicated(keys[0] as string);
    // Valid when the call began: a ticket taken in its last second is not refused for the retries.
    return record && record.expireAt > at ? record : null;
  }
}

export class RedisUserStore extends RedisKeyed implements UserStore {
  /**
   * The user's record first, then its username (`SET NX`, the step that decides): the two keys
   * live in different Cluster slots, so no script can take both. A lost race deletes the record
   * again; a crash between the steps leaves a record nobody can reach (its id was never given
   * out), never a username without its user.
   */
  async create(user: UserRecord): Promise<boolean> {
    const record = this.keys.user(user.id);
    if ((await guarded(this.client.set(record, JSON.stringify(user), { NX: true }))) !== 'OK') return false;
    const reserved = await guarded(this.client.set(this.keys.username(user.username), user.id, { NX: true })).catch(
      async (error: unknown) => {
        await this.client.del(record).catch(() => undefined);
        throw error;
      },
    );
    if (reserved === 'OK') return true;
    await guarded(this.client.del(record));
    return false;
  }

  async findById(id: string): Promise<UserRecord | null> {
    return parse<UserRecord>(await guarded(this.client.get(this.keys.user(id))));
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const id = await guarded(this.client.get(this.keys.username(username)));
    return id === null ? null : this.findById(id.toString());
  }
}

/**
 * Drop expired entries; then 1 if `random` is held already, 2 if it was added (score =
 * deadline; the key lives until its last deadline), 0 if the user holds `max` others.
 */
const RESERVE_SCAN = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
redis.call('PEXPIREAT', KEYS[1], last)
return 2
`;

/** A sorted set per user (`<prefix>scans:<userId>`), scored by each QR's deadline. */
export class RedisScanIndex extends RedisKeyed implements ScanIndex {
  async reserve(userId: string, random: string, until: number, max: number): Promise<'held' | 'added' | 'full'> {
    const reply = await guarded(
      this.client.eval(RESERVE_SCAN, {
        keys: [this.keys.scans(userId)],
        arguments: [String(this.now()), String(until), random, String(max)],
      }),
    );
    return reply === 1 ? 'held' : reply === 2 ? 'added' : 'full';
  }

  async remove(userId: string, random: string): Promise<void> {
    await guarded(this.client.zRem(this.keys.scans(userId), random));
  }
}

/** One key per revoked `jti` (`<prefix>revoked:<jti>`, value `1`), expiring at the token's own expiry. */
export class RedisRevokedTokens extends RedisKeyed implements RevokedTokens {
  async revoke(jti: string, until: number): Promise<void> {
    const now = this.now();
    // Already past: the token is refused for its expiry anyway (and PX must be positive).
    if (until <= now) return;
    await guarded(this.client.set(this.keys.revoked(jti), '1', { PX: Number(ttl(until, now)) }));
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await guarded(this.client.exists(this.keys.revoked(jti)))) === 1;
  }
}

/** The Redis-backed stores over a connected link; `close()` closes it. */
export function createRedisStores(link: RedisLink, prefix: string, now: Clock, replicated?: ReplicaWait): Stores {
  const client = link.commands;
  return {
    qr: new RedisQrStore(client, prefix, now, replicated),
    deadlines: new RedisQrDeadlines(client, prefix, now),
    users: new RedisUserStore(client, prefix),
    scans: new RedisScanIndex(client, prefix, now),
    revoked: new RedisRevokedTokens(client, prefix, now),
    oidc: new RedisOidcStore(client, prefix, now),
    signIns: new RedisSignInStore(client, prefix, now),
    ping: async () => {
      await guarded(link.ping());
    },
    close: () => link.close(),
  };
}
