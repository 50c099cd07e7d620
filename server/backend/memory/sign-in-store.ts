/**
 * @module
 * The signed-in browsers in this process (the memory backend): per user, a Map of record id →
 * the record as JSON text (callers get copies, as a Redis read would give) and its end. Each
 * method runs without an `await`, so it is atomic in Node's single thread; ended records are
 * skipped by every method and dropped by `sweep()`, called with the other stores' sweeps.
 */
import type { Clock } from '../../domain/clock';
import type { SignInRecord, SignInStore } from '../stores';

interface Stored {
  json: string;
  createdAt: number;
  expireAt: number;
}

/**
 * Newest first: by `createdAt`, then by id (descending), the order every backend lists in
 * (a Redis sorted set orders equal scores by member).
 */
export const newestFirst = (a: { id: string; createdAt: number }, b: { id: string; createdAt: number }): number =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export class MemorySignInStore implements SignInStore {
  readonly #byUser = new Map<string, Map<string, Stored>>();

  constructor(private readonly now: Clock) {}

  /** The user's records, ended ones dropped on the way (undefined when there are none). */
  #live(userId: string): Map<string, Stored> | undefined {
    const records = this.#byUser.get(userId);
    if (!records) return undefined;
    const at = this.now();
    for (const [id, stored] of records) if (stored.expireAt <= at) records.delete(id);
    if (records.size > 0) return records;
    this.#byUser.delete(userId);
    return undefined;
  }

  async add(record: SignInRecord, max: number): Promise<void> {
    if (record.expireAt <= this.now()) return;
    const records = this.#live(record.userId) ?? new Map<string, Stored>();
    this.#byUser.set(record.userId, records);
    records.set(record.id, { json: JSON.stringify(record), createdAt: record.createdAt, expireAt: record.expireAt });
    if (records.size <= max) return;
    const ordered = [...records].map(([id, stored]) => ({ id, createdAt: stored.createdAt })).sort(newestFirst);
    for (const { id } of ordered.slice(Math.max(0, max))) records.delete(id);
    if (records.size === 0) this.#byUser.delete(record.userId);
  }

  async list(userId: string): Promise<SignInRecord[]> {
    const records = this.#live(userId);
    if (!records) return [];
    return [...records.values()].map((stored) => JSON.parse(stored.json) as SignInRecord).sort(newestFirst);
  }

  async get(userId: string, id: string): Promise<SignInRecord | null> {
    const stored = this.#live(userId)?.get(id);
    return stored ? (JSON.parse(stored.json) as SignInRecord) : null;
  }

  async remove(userId: string, id: string): Promise<SignInRecord | null> {
    const records = this.#live(userId);
    const stored = records?.get(id);
    if (!records || !stored) return null;
    records.delete(id);
    if (records.size === 0) this.#byUser.delete(userId);
    return JSON.parse(stored.json) as SignInRecord;
  }

  /** Drops ended records (and users left with none). */
  sweep(): void {
    for (const userId of [...this.#byUser.keys()]) this.#live(userId);
  }
}
