/**
 * @module
 * Durable stores in one LMDB environment (`lmdb`: a memory-mapped, ACID key-value store whose
 * prebuilt binary installs from the registry in seconds). Reads are synchronous from the map;
 * every read-decide-write runs inside one `transaction()` callback, which LMDB makes atomic
 * and isolated, and whose promise resolves once the commit is written (it survives the process
 * being killed; lmdb-js flushes it to the disk a few milliseconds later, overlapping the next
 * commits): the guarantees the memory store gets from Node's single thread and Redis from Lua
 * scripts, with Redis's own durability (a power loss may cost the last moments). Entries that
 * end (sessions, tickets, scans, revocations) carry their deadline and are dropped by a sweep.
 */
import { type Database, type RootDatabase, open } from 'lmdb';
import type { Clock } from '../../domain/clock';
import type { QrSession, TicketRecord } from '../../domain/qr-session';
import type { NewTicket, QrStore, RevokedTokens, ScanIndex, Stores, UserRecord, UserStore } from '../stores';

/** A value and the moment it ends (epoch ms). */
interface Expiring<T> {
  value: T;
  expireAt: number;
}

const liveValue = <T>(entry: Expiring<T> | undefined, now: number): T | null => (entry && entry.expireAt > now ? entry.value : null);

/** Removes every entry of `db` whose deadline has passed, in one transaction. */
async function sweepExpired(env: RootDatabase, db: Database<Expiring<unknown>, string>, now: number): Promise<void> {
  await env.transaction(() => {
    for (const { key, value } of db.getRange()) if (value.expireAt <= now) db.removeSync(key);
  });
}

export class EmbeddedQrStore implements QrStore {
  constructor(
    private readonly env: RootDatabase,
    private readonly sessions: Database<Expiring<QrSession>, string>,
    private readonly tickets: Database<Expiring<TicketRecord>, string>,
    private readonly now: Clock,
  ) {}

  create(session: QrSession): Promise<boolean> {
    return this.env.transaction(() => {
      if (liveValue(this.sessions.get(session.random), this.now())) return false;
      this.sessions.putSync(session.random, { value: session, expireAt: session.retainUntil });
      return true;
    });
  }

  async get(random: string): Promise<QrSession | null> {
    return liveValue(this.sessions.get(random), this.now());
  }

  compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean> {
    return this.env.transaction(() => {
      const current = liveValue(this.sessions.get(next.random), this.now());
      if (!current || current.version !== expectedVersion) return false;
      this.sessions.putSync(next.random, { value: next, expireAt: next.retainUntil });
      if (ticket) this.tickets.putSync(ticket.hash, { value: ticket.record, expireAt: ticket.record.expireAt });
      return true;
    });
  }

  async peekTicket(hash: string): Promise<TicketRecord | null> {
    return liveValue(this.tickets.get(hash), this.now());
  }

  takeTicket(hash: string): Promise<TicketRecord | null> {
    return this.env.transaction(() => {
      const record = liveValue(this.tickets.get(hash), this.now());
      this.tickets.removeSync(hash);
      return record;
    });
  }

  async sweep(): Promise<void> {
    await sweepExpired(this.env, this.sessions, this.now());
    await sweepExpired(this.env, this.tickets, this.now());
  }
}

export class EmbeddedUserStore implements UserStore {
  constructor(
    private readonly env: RootDatabase,
    private readonly byId: Database<UserRecord, string>,
    private readonly idByUsername: Database<string, string>,
  ) {}

  create(user: UserRecord): Promise<boolean> {
    return this.env.transaction(() => {
      const key = user.username.toLowerCase();
      if (this.idByUsername.get(key) !== undefined) return false;
      this.idByUsername.putSync(key, user.id);
      this.byId.putSync(user.id, user);
      return true;
    });
  }

  async findById(id: string): Promise<UserRecord | null> {
    return this.byId.get(id) ?? null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const id = this.idByUsername.get(username.toLowerCase());
    return id === undefined ? null : this.findById(id);
  }
}

export class EmbeddedScanIndex implements ScanIndex {
  constructor(
    private readonly env: RootDatabase,
    /** By user id: the QR codes the user holds scanned and undecided, with their deadlines. */
    private readonly byUser: Database<Record<string, number>, string>,
    private readonly now: Clock,
  ) {}

  reserve(userId: string, random: string, until: number, max: number): Promise<'held' | 'added' | 'full'> {
    return this.env.transaction(() => {
      const at = this.now();
      const entries = Object.fromEntries(Object.entries(this.byUser.get(userId) ?? {}).filter(([, deadline]) => deadline > at));
      if (random in entries) return 'held';
      if (Object.keys(entries).length >= max) return 'full';
      this.byUser.putSync(userId, { ...entries, [random]: until });
      return 'added';
    });
  }

  async remove(userId: string, random: string): Promise<void> {
    await this.env.transaction(() => {
      const entries = { ...this.byUser.get(userId) };
      delete entries[random];
      if (Object.keys(entries).length === 0) this.byUser.removeSync(userId);
      else this.byUser.putSync(userId, entries);
    });
  }
}

export class EmbeddedRevokedTokens implements RevokedTokens {
  constructor(
    private readonly env: RootDatabase,
    private readonly revoked: Database<Expiring<true>, string>,
    private readonly now: Clock,
  ) {}

  async revoke(jti: string, until: number): Promise<void> {
    if (until <= this.now()) return;
    await this.revoked.put(jti, { value: true, expireAt: until });
  }

  async isRevoked(jti: string): Promise<boolean> {
    return liveValue(this.revoked.get(jti), this.now()) !== null;
  }

  async sweep(): Promise<void> {
    await sweepExpired(this.env, this.revoked, this.now());
  }
}

/** The stores of one LMDB environment at `path` (its data file; LMDB adds `path-lock`), swept every `sweepMs`. */
export function createEmbeddedStores(path: string, now: Clock, sweepMs = 30_000): Stores {
  const env = open({ path, compression: false });
  const qr = new EmbeddedQrStore(env, env.openDB({ name: 'qr' }), env.openDB({ name: 'tickets' }), now);
  const revoked = new EmbeddedRevokedTokens(env, env.openDB({ name: 'revoked' }), now);
  const sweep = () => Promise.all([qr.sweep(), revoked.sweep()]).catch(() => undefined);
  const timer = setInterval(() => void sweep(), sweepMs);
  timer.unref();
  return {
    qr,
    users: new EmbeddedUserStore(env, env.openDB({ name: 'users' }), env.openDB({ name: 'usernames' })),
    scans: new EmbeddedScanIndex(env, env.openDB({ name: 'scans' }), now),
    revoked,
    ping: async () => {
      env.getStats();
    },
    close: async () => {
      clearInterval(timer);
      await env.close();
    },
  };
}
