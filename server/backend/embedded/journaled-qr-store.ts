/**
 * @module
 * QR sessions and tickets for `DATA_SYNC=interval`: the live ones in memory (one process owns
 * the folder, so the maps are the truth, and every read-decide-write runs synchronously on
 * them, as in the memory store), each change appended to the journal (./journal.ts) before it
 * is answered, and moved into LMDB in batches a few milliseconds later. The confirm → push path
 * so costs one `write()` more than the memory store's, where an LMDB commit costs about a
 * tenth of a millisecond in a busy server.
 */
import type { Database, RootDatabase } from 'lmdb';
import type { Clock } from '../../domain/clock';
import type { QrSession, TicketRecord } from '../../domain/qr-session';
import type { NewTicket, QrStore } from '../stores';
import { Journal, type JournalEntry, journalLine, readJournal } from './journal';
import { renameSync, unlinkSync } from 'node:fs';
import type { Expiring } from './write';

/** A live entry as the maps keep it: JSON text (callers get copies) and its end. */
interface Held {
  text: string;
  expireAt: number;
  version: number;
}

const CHECKPOINT_DELAY_MS = 100;
const RETRY_DELAY_MS = 1000;

/** Where the store reports what it cannot answer for (a failed checkpoint, damaged journal lines). */
export type ReportProblem = (message: string, error?: unknown) => void;

/** The part of the LMDB environment the store uses (a test may put faults in front of it). */
export type TransactionRunner = Pick<RootDatabase, 'transaction'>;

export class JournaledQrStore implements QrStore {
  readonly #sessions = new Map<string, Held>();
  readonly #tickets = new Map<string, Held>();
  /** Changed since the last checkpoint: sessions by random, tickets by hash (null: taken). */
  readonly #dirtySessions = new Set<string>();
  readonly #dirtyTickets = new Set<string>();
  readonly #journal: Journal;
  #timer: NodeJS.Timeout | undefined;
  #checkpointing: Promise<void> = Promise.resolve();
  /** The last checkpoint failed: the current journal file holds changes LMDB lacks. */
  #behind = false;
  #closed = false;
  /** Journal files of an earlier process (or of failed checkpoints), deleted by the next good checkpoint. */
  readonly #leftovers: string[];
  /** Files with damaged lines: renamed `….bad` (kept for inspection) instead of deleted. */
  readonly #damaged: Set<string>;

  constructor(
    private readonly env: TransactionRunner,
    private readonly sessions: Database<Expiring<QrSession>, string>,
    private readonly tickets: Database<Expiring<TicketRecord>, string>,
    dir: string,
    private readonly now: Clock,
    private readonly report: ReportProblem = () => undefined,
  ) {
    const at = now();
    for (const { value } of sessions.getRange()) if (value.expireAt > at) this.#holdSession(value.value, false);
    for (const { key, value } of tickets.getRange()) if (value.expireAt > at) this.#holdTicket(key, value.value, false);
    // What a killed process answered but had not moved into LMDB yet.
    const left = readJournal(dir);
    for (const entry of left.entries) this.#apply(entry);
    if (left.skipped > 0) {
      report(`the journal in ${dir} had ${left.skipped} damaged line(s): skipped; the files are kept with the suffix .bad`);
    }
    this.#journal = new Journal(dir);
    this.#leftovers = left.files;
    this.#damaged = new Set(left.damaged);
    if (left.files.length > 0) this.#schedule(0);
  }

  /** `dirty`: a change LMDB does not have yet (false when it comes from LMDB). */
  #holdSession(session: QrSession, dirty = true, text = JSON.stringify(session)): void {
    this.#sessions.set(session.random, { text, expireAt: session.retainUntil, version: session.version });
    if (dirty) this.#dirtySessions.add(session.random);
  }

  #holdTicket(hash: string, record: TicketRecord, dirty = true, text = JSON.stringify(record)): void {
    this.#tickets.set(hash, { text, expireAt: record.expireAt, version: 0 });
    if (dirty) this.#dirtyTickets.add(hash);
  }

  #apply(entry: JournalEntry, text?: string): void {
    if (entry.op === 'session') this.#holdSession(entry.session, true, text);
    else if (entry.op === 'ticket') this.#holdTicket(entry.hash, entry.record, true, text);
    else {
      this.#tickets.delete(entry.hash);
      this.#dirtyTickets.add(entry.hash);
    }
  }

  #live(map: Map<string, Held>, key: string): Held | undefined {
    const held = map.get(key);
    return held && held.expireAt > this.now() ? held : undefined;
  }

  /** Journals `entries` (throws if the disk refuses), applies them, and schedules a checkpoint. */
  #commit(entries: JournalEntry[]): void {
    // Each value is serialized once: for the journal line and for the map.
    const texts = entries.map((entry) =>
      entry.op === 'session' ? JSON.stringify(entry.session) : entry.op === 'ticket' ? JSON.stringify(entry.record) : undefined,
    );
    if (this.#closed) throw new Error('the embedded store is closed');
    this.#journal.append(entries.map((entry, i) => journalLine(entry, texts[i])));
    entries.forEach((entry, i) => this.#apply(entry, texts[i]));
    this.#schedule(CHECKPOINT_DELAY_MS);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.checkpoint().catch(() => undefined);
    }, delayMs);
    this.#timer.unref();
  }

  async create(session: QrSession): Promise<boolean> {
    if (this.#live(this.#sessions, session.random)) return false;
    this.#commit([{ op: 'session', session }]);
    return true;
  }

  async get(random: string): Promise<QrSession | null> {
    const held = this.#live(this.#sessions, random);
    return held ? (JSON.parse(held.text) as QrSession) : null;
  }

  async compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean> {
    if (this.#live(this.#sessions, next.random)?.version !== expectedVersion) return false;
    // The ticket first: replayed, a session never names a ticket the journal lacks.
    this.#commit([
      ...(ticket ? [{ op: 'ticket', hash: ticket.hash, record: ticket.record } as const] : []),
      { op: 'session', session: next },
    ]);
    return true;
  }

  async peekTicket(hash: string): Promise<TicketRecord | null> {
    const held = this.#live(this.#tickets, hash);
    return held ? (JSON.parse(held.text) as TicketRecord) : null;
  }

  async takeTicket(hash: string): Promise<TicketRecord | null> {
    const held = this.#live(this.#tickets, hash);
    if (!this.#tickets.has(hash)) return null;
    this.#commit([{ op: 'take', hash }]);
    return held ? (JSON.parse(held.text) as TicketRecord) : null;
  }

  /** Moves every change since the last checkpoint into LMDB, then deletes the journal files it covered. */
  checkpoint(): Promise<void> {
    // One at a time; a failed one does not stop the next.
    this.#checkpointing = this.#checkpointing.catch(() => undefined).then(() => this.#checkpointOnce());
    return this.#checkpointing;
  }

  async #checkpointOnce(): Promise<void> {
    if (this.#dirtySessions.size === 0 && this.#dirtyTickets.size === 0 && this.#leftovers.length === 0) return;
    const covered = [...this.#leftovers.splice(0), this.#journal.rotate()];
    const sessions = [...this.#dirtySessions];
    const tickets = [...this.#dirtyTickets];
    this.#dirtySessions.clear();
    this.#dirtyTickets.clear();
    try {
      await this.env.transaction(() => {
        for (const random of sessions) {
          const held = this.#sessions.get(random);
          if (held) this.sessions.putSync(random, { value: JSON.parse(held.text) as QrSession, expireAt: held.expireAt });
          else this.sessions.removeSync(random);
        }
        for (const hash of tickets) {
          const held = this.#tickets.get(hash);
          if (held) this.tickets.putSync(hash, { value: JSON.parse(held.text) as TicketRecord, expireAt: held.expireAt });
          else this.tickets.removeSync(hash);
        }
      });
    } catch (error) {
      // Not in LMDB: keep the journal files (a restart replays them) and try again later.
      this.#behind = true;
      this.#leftovers.unshift(...covered);
      for (const random of sessions) this.#dirtySessions.add(random);
      for (const hash of tickets) this.#dirtyTickets.add(hash);
      this.report('could not move journaled changes into LMDB; they stay in the journal and are retried', error);
      this.#schedule(RETRY_DELAY_MS);
      throw error;
    }
    this.#behind = false;
    for (const path of covered) {
      if (this.#damaged.delete(path)) renameSync(path, `${path}.bad`);
      else unlinkSync(path);
    }
  }

  /** Drops ended sessions and tickets from memory and from LMDB. */
  async sweep(): Promise<void> {
    const at = this.now();
    for (const [map, dirty] of [
      [this.#sessions, this.#dirtySessions],
      [this.#tickets, this.#dirtyTickets],
    ] as const) {
      for (const [key, held] of map) {
        if (held.expireAt <= at) {
          map.delete(key);
          dirty.add(key);
        }
      }
    }
    await this.checkpoint();
    // Entries that had ended before this process loaded them are only in LMDB.
    await this.env.transaction(() => {
      for (const db of [this.sessions, this.tickets] as const) {
        for (const { key, value } of db.getRange()) if (value.expireAt <= at) db.removeSync(key);
      }
    });
  }

  /** Flushes the journal file to the disk. */
  flush(): Promise<void> {
    return this.#journal.flush();
  }

  /** Refuses new changes, checkpoints everything, and removes the journal unless LMDB lacks some of it. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.checkpoint().catch(() => undefined);
    // After a failed checkpoint the files stay: the next process replays them.
    this.#journal.close(!this.#behind);
  }
}
