/**
 * @module
 * The signed-in browsers on disk: one LMDB database (`signins`) keyed
 * `<length of userId>:<userId>\0<id>`, so a user's records are one key range, each value the record as JSON text (callers get copies,
 * exactly what was written, as from Redis) with its `expireAt`. An add and its trim to `max`,
 * and a remove, each run inside one write transaction (atomic and isolated: of concurrent
 * removes exactly one gets the record); reads come straight from the map and skip ended
 * records, which the sweep drops like the other embedded stores' entries.
 */
import type { Database } from 'lmdb';
import type { Clock } from '../../domain/clock';
import { newestFirst } from '../memory/sign-in-store';
import type { SignInRecord, SignInStore } from '../stores';
import { type Expiring, type Write, liveValue, sweepExpired } from './write';

/**
 * The user, prefixed by its length (an external `sub` may hold any character, `\0` too: without
 * the length, user `a`'s range would hold user `a\0x`'s keys), then `\0`, which sorts first.
 */
const userPart = (userId: string) => `${userId.length}:${userId}\u0000`;
const keyOf = (userId: string, id: string) => `${userPart(userId)}${id}`;
/** The key range of one user's records. */
const rangeOf = (userId: string) => ({ start: userPart(userId), end: `${userPart(userId).slice(0, -1)}\u0001` });

const parse = (text: string) => JSON.parse(text) as SignInRecord;

export class EmbeddedSignInStore implements SignInStore {
  constructor(
    private readonly write: Write,
    /** `<userId>\0<id>` → the record as JSON text and its end. */
    private readonly rows: Database<Expiring<string>, string>,
    private readonly now: Clock,
  ) {}

  /** The user's live records, in no particular order. */
  #live(userId: string): SignInRecord[] {
    const at = this.now();
    const records: SignInRecord[] = [];
    for (const { value } of this.rows.getRange(rangeOf(userId))) if (value.expireAt > at) records.push(parse(value.value));
    return records;
  }

  async add(record: SignInRecord, max: number): Promise<void> {
    if (record.expireAt <= this.now()) return;
    await this.write(() => {
      this.rows.putSync(keyOf(record.userId, record.id), { value: JSON.stringify(record), expireAt: record.expireAt });
      const live = this.#live(record.userId);
      if (live.length <= max) return;
      for (const dropped of live.sort(newestFirst).slice(Math.max(0, max))) this.rows.removeSync(keyOf(dropped.userId, dropped.id));
    });
  }

  async list(userId: string): Promise<SignInRecord[]> {
    return this.#live(userId).sort(newestFirst);
  }

  async get(userId: string, id: string): Promise<SignInRecord | null> {
    const text = liveValue(this.rows.get(keyOf(userId, id)), this.now());
    return text === null ? null : parse(text);
  }

  remove(userId: string, id: string): Promise<SignInRecord | null> {
    return this.write(() => {
      const key = keyOf(userId, id);
      const text = liveValue(this.rows.get(key), this.now());
      if (text === null) return null;
      this.rows.removeSync(key);
      return parse(text);
    });
  }

  /** Drops ended records from the disk. */
  sweep(): Promise<void> {
    return sweepExpired(this.write, this.rows, this.now());
  }
}
