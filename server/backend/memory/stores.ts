/**
 * @module
 * In-process stores for the embedded default (one instance, no Redis). Each method runs
 * without an `await` between its read and its write, which makes it atomic in Node's single
 * thread: the same guarantees the Redis store gets from Lua scripts.
 */
import type { Clock } from '../../domain/clock';
import type { QrSession, TicketRecord } from '../../domain/qr-session';
import { MemoryOidcStore } from './oidc-store';
import { MemorySignInStore } from './sign-in-store';
import { MemoryQrDeadlines } from './qr-deadlines';
import type { NewTicket, QrStore, RevokedTokens, ScanIndex, Stores, UserRecord, UserStore } from '../stores';

interface Entry<T> {
  value: T;
  expireAt: number;
}

/** A Map whose entries vanish at their own deadline (checked on read, swept periodically). */
class ExpiringMap<T> {
  private readonly entries = new Map<string, Entry<T>>();
  constructor(private readonly now: Clock) {}

  get(key: string): T | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expireAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  set(key: string, value: T, expireAt: number): void {
    this.entries.set(key, { value, expireAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expireAt <= now) this.entries.delete(key);
  }
}

/**
 * QR sessions and tickets are kept as JSON text, as the Redis store keeps them: callers can never
 * mutate what the store holds, a read returns exactly what a Redis read would, and each access
 * costs one JSON step (stringify on write, parse on read) where `structuredClone` copied the
 * whole record every time (3 % of a login's CPU in the profile; BENCHMARKS.md). Users, read
 * rarely, are copied through JSON.
 */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface StoredSession {
  json: string;
  version: number;
}

export class MemoryQrStore implements QrStore {
  private readonly sessions: ExpiringMap<StoredSession>;
  private readonly tickets: ExpiringMap<string>;

  constructor(now: Clock) {
    this.sessions = new ExpiringMap(now);
    this.tickets = new ExpiringMap(now);
  }

  async create(session: QrSession): Promise<boolean> {
    if (this.sessions.get(session.random)) return false;
    this.sessions.set(session.random, { json: JSON.stringify(session), version: session.version }, session.retainUntil);
    return true;
  }

  async get(random: string): Promise<QrSession | null> {
    const stored = this.sessions.get(random);
    return stored ? (JSON.parse(stored.json) as QrSession) : null;
  }

  async compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean> {
    const current = this.sessions.get(next.random);
    if (!current || current.version !== expectedVersion) return false;
    this.sessions.set(next.random, { json: JSON.stringify(next), version: next.version }, next.retainUntil);
    if (ticket) this.tickets.set(ticket.hash, JSON.stringify(ticket.record), ticket.record.expireAt);
    return true;
  }

  async peekTicket(hash: string): Promise<TicketRecord | null> {
    const record = this.tickets.get(hash);
    return record ? (JSON.parse(record) as TicketRecord) : null;
  }

  async takeTicket(hash: string): Promise<TicketRecord | null> {
    const record = this.tickets.get(hash);
    this.tickets.delete(hash);
    return record ? (JSON.parse(record) as TicketRecord) : null;
  }

  /** Drops expired entries; the app calls it on a timer so memory stays bounded. */
  sweep(): void {
    this.sessions.sweep();
    this.tickets.sweep();
  }
}

export class MemoryUserStore implements UserStore {
  private readonly byId = new Map<string, UserRecord>();
  private readonly idByUsername = new Map<string, string>();

  async create(user: UserRecord): Promise<boolean> {
    const key = user.username.toLowerCase();
    if (this.idByUsername.has(key)) return false;
    this.idByUsername.set(key, user.id);
    this.byId.set(user.id, clone(user));
    return true;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const user = this.byId.get(id);
    return user ? clone(user) : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const id = this.idByUsername.get(username.toLowerCase());
    return id === undefined ? null : this.findById(id);
  }
}

/** The embedded default: everything in this process, swept every `sweepMs`. */
export class MemoryScanIndex implements ScanIndex {
  private readonly byUser = new Map<string, Map<string, number>>();
  constructor(private readonly now: Clock) {}

  async reserve(userId: string, random: string, until: number, max: number): Promise<'held' | 'added' | 'full'> {
    // One synchronous step: nothing can interleave between the count and the write.
    let entries = this.byUser.get(userId);
    if (!entries) this.byUser.set(userId, (entries = new Map()));
    const at = this.now();
    for (const [held, deadline] of entries) if (deadline <= at) entries.delete(held);
    if (entries.has(random)) return 'held';
    if (entries.size >= max) return 'full';
    entries.set(random, until);
    return 'added';
  }

  async remove(userId: string, random: string): Promise<void> {
    const entries = this.byUser.get(userId);
    entries?.delete(random);
    if (entries?.size === 0) this.byUser.delete(userId);
  }
}

/** Revoked user tokens by `jti`, each kept until its `until` (swept with the QR store). */
export class MemoryRevokedTokens implements RevokedTokens {
  private readonly entries: ExpiringMap<true>;

  constructor(private readonly now: Clock) {
    this.entries = new ExpiringMap(now);
  }

  async revoke(jti: string, until: number): Promise<void> {
    if (until > this.now()) this.entries.set(jti, true, until);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return this.entries.get(jti) !== null;
  }

  /** Drops entries past their `until`. */
  sweep(): void {
    this.entries.sweep();
  }
}

export function createMemoryStores(now: Clock, sweepMs = 30_000): Stores {
  const qr = new MemoryQrStore(now);
  const revoked = new MemoryRevokedTokens(now);
  const oidc = new MemoryOidcStore(now);
  const signIns = new MemorySignInStore(now);
  const timer = setInterval(() => {
    qr.sweep();
    revoked.sweep();
    oidc.sweep();
    signIns.sweep();
  }, sweepMs);
  timer.unref();
  return {
    qr,
    deadlines: new MemoryQrDeadlines(now),
    users: new MemoryUserStore(),
    scans: new MemoryScanIndex(now),
    revoked,
    oidc,
    signIns,
    ping: async () => {},
    close: async () => clearInterval(timer),
  };
}
