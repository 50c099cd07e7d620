/**
 * @module
 * The embedded stores of what is not a QR code: built-in users, pending-scan places (with
 * `DATA_SYNC=commit`; the journaled mode keeps them in memory) and logged-out tokens.
 */
import type { Database } from 'lmdb';
import type { Clock } from '../../domain/clock';
import type { RevokedTokens, ScanIndex, UserRecord, UserStore } from '../stores';
import { type Expiring, type Write, sweepExpired } from './write';

/** Users recently read, kept decoded (a user record never changes once written). */
const USER_CACHE_SIZE = 10_000;

export class EmbeddedUserStore implements UserStore {
  readonly #recent = new Map<string, string>();

  constructor(
    private readonly write: Write,
    private readonly byId: Database<UserRecord, string>,
    private readonly idByUsername: Database<string, string>,
  ) {}

  create(user: UserRecord): Promise<boolean> {
    return this.write(() => {
      const key = user.username.toLowerCase();
      if (this.idByUsername.get(key) !== undefined) return false;
      this.idByUsername.putSync(key, user.id);
      this.byId.putSync(user.id, user);
      return true;
    });
  }

  async findById(id: string): Promise<UserRecord | null> {
    // Every phone request reads its user: from memory when it was read lately (as JSON text, so
    // callers get copies), from the map otherwise.
    const cached = this.#recent.get(id);
    if (cached !== undefined) return JSON.parse(cached) as UserRecord;
    const user = this.byId.get(id) ?? null;
    if (user) {
      if (this.#recent.size >= USER_CACHE_SIZE) this.#recent.delete(this.#recent.keys().next().value ?? '');
      this.#recent.set(id, JSON.stringify(user));
    }
    return user;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const id = this.idByUsername.get(username.toLowerCase());
    return id === undefined ? null : this.findById(id);
  }
}

export class EmbeddedScanIndex implements ScanIndex {
  constructor(
    private readonly write: Write,
    /** By user id: the QR codes the user holds scanned and undecided, with their deadlines. */
    private readonly byUser: Database<Record<string, number>, string>,
    private readonly now: Clock,
  ) {}

  reserve(userId: string, random: string, until: number, max: number): Promise<'held' | 'added' | 'full'> {
    return this.write(() => {
      const at = this.now();
      const entries = Object.fromEntries(Object.entries(this.byUser.get(userId) ?? {}).filter(([, deadline]) => deadline > at));
      if (random in entries) return 'held';
      if (Object.keys(entries).length >= max) return 'full';
      this.byUser.putSync(userId, { ...entries, [random]: until });
      return 'added';
    });
  }

  async remove(userId: string, random: string): Promise<void> {
    await this.write(() => {
      const entries = { ...this.byUser.get(userId) };
      delete entries[random];
      if (Object.keys(entries).length === 0) this.byUser.removeSync(userId);
      else this.byUser.putSync(userId, entries);
    });
  }
}

/**
 * Every phone request asks the denylist; logouts are rare and end with their token. So the
 * live entries are held in memory too (filled on open, written through), one process owning
 * the folder.
 */
export class EmbeddedRevokedTokens implements RevokedTokens {
  readonly #live = new Map<string, number>();

  constructor(
    private readonly write: Write,
    private readonly revoked: Database<Expiring<true>, string>,
    private readonly now: Clock,
  ) {
    const at = now();
    for (const { key, value } of revoked.getRange()) if (value.expireAt > at) this.#live.set(key, value.expireAt);
  }

  async revoke(jti: string, until: number): Promise<void> {
    if (until <= this.now()) return;
    await this.write(() => this.revoked.putSync(jti, { value: true, expireAt: until }));
    this.#live.set(jti, until);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (this.#live.get(jti) ?? 0) > this.now();
  }

  async sweep(): Promise<void> {
    const at = this.now();
    for (const [jti, until] of this.#live) if (until <= at) this.#live.delete(jti);
    await sweepExpired(this.write, this.revoked, at);
  }
}
