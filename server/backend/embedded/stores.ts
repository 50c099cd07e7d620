/**
 * @module
 * Durable stores in one LMDB environment (`lmdb`: a memory-mapped, ACID key-value store whose
 * prebuilt binary installs from the registry in seconds). Reads are synchronous from the map;
 * every read-decide-write runs inside one write transaction, which LMDB makes atomic and
 * isolated: the guarantees the memory store gets from Node's single thread and Redis from Lua
 * scripts. How a commit reaches the disk is the {@link SyncMode}:
 * - `interval` (the default): each transaction commits synchronously into the file (about
 *   15 µs; it then survives the process being killed at any moment), and the file is flushed
 *   to the disk every second — Redis's `appendfsync everysec`. A power cut may lose the last
 *   second; LMDB keeps its integrity where the file system keeps the order of writes.
 * - `commit`: each transaction's promise resolves once its commit is flushed to the disk
 *   (lmdb-js batches the commits of concurrent transactions); about half a millisecond more
 *   per write here.
 * Entries that end (sessions, tickets, scans, revocations, OIDC entries, sign-ins) carry their
 * deadline and are dropped by a sweep.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Database, open } from 'lmdb';
import type { Clock } from '../../domain/clock';
import type { QrSession, TicketRecord } from '../../domain/qr-session';
import type { NewTicket, QrStore, Stores } from '../stores';
import { MemoryScanIndex } from '../memory/stores';
import { MemoryQrDeadlines } from '../memory/qr-deadlines';
import { EmbeddedOidcStore } from './oidc-store';
import { EmbeddedSignInStore } from './sign-in-store';
import { JournaledQrStore, type ReportProblem } from './journaled-qr-store';
import { EmbeddedRevokedTokens, EmbeddedScanIndex, EmbeddedUserStore } from './records';
import { type Expiring, type SyncMode, type Write, liveValue, sweepExpired, writerOf } from './write';

export { EmbeddedRevokedTokens, EmbeddedScanIndex, EmbeddedUserStore } from './records';
export { type SyncMode, writerOf } from './write';

/** Where the journal goes: beside the LMDB file, or inside `path` when it is a folder. */
function journalDirOf(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
}

/** A live session as the cache keeps it: JSON text (callers get copies), its version and end. */
interface Cached {
  text: string;
  version: number;
  expireAt: number;
}

/**
 * QR sessions on disk, and the live ones in memory too: reads and the version check of a
 * compare-and-set come from the map (one process owns the folder, so it is the truth), and only
 * the write goes to LMDB, keeping the confirm → push path as short as the memory store's. The
 * map is filled from the disk on open. A write that fails to commit restores the map's entry.
 */
export class EmbeddedQrStore implements QrStore {
  readonly #live = new Map<string, Cached>();

  constructor(
    private readonly write: Write,
    private readonly sessions: Database<Expiring<QrSession>, string>,
    private readonly tickets: Database<Expiring<TicketRecord>, string>,
    private readonly now: Clock,
  ) {
    const at = now();
    for (const { value } of sessions.getRange()) if (value.expireAt > at) this.#remember(value.value);
  }

  #remember(session: QrSession): Cached {
    const entry = { text: JSON.stringify(session), version: session.version, expireAt: session.retainUntil };
    this.#live.set(session.random, entry);
    return entry;
  }

  #current(random: string): Cached | undefined {
    const entry = this.#live.get(random);
    if (entry && entry.expireAt <= this.now()) {
      this.#live.delete(random);
      return undefined;
    }
    return entry;
  }

  /** Runs `change` (which updates the map) in a write; a failed commit puts the entry back. */
  /**
   * Runs `change` in a write; it returns the map entry it replaced and the one it set (or null
   * when it changed nothing). A failed commit puts the replaced entry back, unless a later write
   * has set another one meanwhile.
   */
  async #writeSession(random: string, change: () => { before: Cached | undefined; mine: Cached } | null): Promise<boolean> {
    let done: { before: Cached | undefined; mine: Cached } | null = null;
    try {
      done = await this.write(() => (done = change()));
      return done !== null;
    } catch (error) {
      if (done !== null && this.#live.get(random) === done.mine) {
        if (done.before) this.#live.set(random, done.before);
        else this.#live.delete(random);
      }
      throw error;
    }
  }

  create(session: QrSession): Promise<boolean> {
    return this.#writeSession(session.random, () => {
      if (this.#current(session.random)) return null;
      this.sessions.putSync(session.random, { value: session, expireAt: session.retainUntil });
      return { before: undefined, mine: this.#remember(session) };
    });
  }

  async get(random: string): Promise<QrSession | null> {
    const entry = this.#current(random);
    return entry ? (JSON.parse(entry.text) as QrSession) : null;
  }

  compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean> {
    // The check and the map's update run inside the write's callback, which LMDB runs alone:
    // of two racing writes, the second sees the first's version.
    return this.#writeSession(next.random, () => {
      const before = this.#current(next.random);
      if (before?.version !== expectedVersion) return null;
      this.sessions.putSync(next.random, { value: next, expireAt: next.retainUntil });
      if (ticket) this.tickets.putSync(ticket.hash, { value: ticket.record, expireAt: ticket.record.expireAt });
      return { before, mine: this.#remember(next) };
    });
  }

  async peekTicket(hash: string): Promise<TicketRecord | null> {
    return liveValue(this.tickets.get(hash), this.now());
  }

  takeTicket(hash: string): Promise<TicketRecord | null> {
    return this.write(() => {
      const record = liveValue(this.tickets.get(hash), this.now());
      this.tickets.removeSync(hash);
      return record;
    });
  }

  async sweep(): Promise<void> {
    const at = this.now();
    for (const [random, entry] of this.#live) if (entry.expireAt <= at) this.#live.delete(random);
    await sweepExpired(this.write, this.sessions, at);
    await sweepExpired(this.write, this.tickets, at);
  }
}

export interface EmbeddedStoresOptions {
  /** @default 'interval' */
  sync?: SyncMode;
  /** How often ended entries are dropped. @default 30000 */
  sweepMs?: number;
  /** How often the file is flushed in `interval` mode. @default 1000 */
  flushMs?: number;
  /** Told of what the store cannot answer for: failed flushes and checkpoints, damaged journal lines. */
  report?: ReportProblem;
}

/** The stores of one LMDB environment at `path` (its data file; LMDB adds `path-lock`). */
export function createEmbeddedStores(path: string, now: Clock, options: EmbeddedStoresOptions = {}): Stores {
  const mode = options.sync ?? 'interval';
  // `interval`: commits are not flushed one by one (noSync); a timer flushes the file.
  // `commit`: overlappingSync off, so a transaction resolves only once it is on the disk.
  const env = open({ path, compression: false, ...(mode === 'interval' ? { noSync: true } : { overlappingSync: false }) });
  const write = writerOf(env, mode);
  // lmdb-js's `sync(callback)` (untyped) runs mdb_env_sync(force) on a worker thread.
  const native = env as unknown as { sync(callback: (error?: Error) => void): void };
  const report: ReportProblem = options.report ?? (() => undefined);
  const flush = () =>
    new Promise<void>((resolve) =>
      native.sync((error) => {
        if (error) report('could not flush the embedded store to the disk', error);
        resolve();
      }),
    );
  const qrSessions = env.openDB<Expiring<QrSession>, string>({ name: 'qr' });
  const qrTickets = env.openDB<Expiring<TicketRecord>, string>({ name: 'tickets' });
  // `interval`: QR sessions and tickets are journaled (one write() each) and checkpointed into
  // LMDB; pending-scan places live in memory, like rate-limit windows. `commit`: all in LMDB.
  const journaled = mode === 'interval' ? new JournaledQrStore(env, qrSessions, qrTickets, journalDirOf(path), now, report) : null;
  const qr = journaled ?? new EmbeddedQrStore(write, qrSessions, qrTickets, now);
  const scans = mode === 'interval' ? new MemoryScanIndex(now) : new EmbeddedScanIndex(write, env.openDB({ name: 'scans' }), now);
  const revoked = new EmbeddedRevokedTokens(write, env.openDB({ name: 'revoked' }), now);
  const oidc = new EmbeddedOidcStore(write, env.openDB({ name: 'oidc' }), now);
  const signIns = new EmbeddedSignInStore(write, env.openDB({ name: 'signins' }), now);
  const sweep = () => Promise.all([qr.sweep(), revoked.sweep(), oidc.sweep(), signIns.sweep()]).catch(() => undefined);
  const timers = [setInterval(() => void sweep(), options.sweepMs ?? 30_000)];
  const flushJournal = () => journaled?.flush().catch((error: unknown) => report('could not flush the journal to the disk', error));
  if (mode === 'interval') timers.push(setInterval(() => void Promise.all([flush(), flushJournal()]), options.flushMs ?? 1000));
  for (const timer of timers) timer.unref();
  return {
    qr,
    // In this process, like the webhook queue: QRs pending at a restart get no expiry line.
    deadlines: new MemoryQrDeadlines(now),
    users: new EmbeddedUserStore(write, env.openDB({ name: 'users' }), env.openDB({ name: 'usernames' })),
    scans,
    revoked,
    oidc,
    signIns,
    ping: async () => {
      env.getStats();
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await journaled?.close();
      if (mode === 'interval') await flush();
      await env.close();
    },
  };
}
