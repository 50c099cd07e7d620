/**
 * @module
 * The OpenID Connect store's rules over one table of expiring entries, each step synchronous:
 * the memory store runs them on a Map (atomic in Node's single thread), the embedded store on
 * LMDB inside one write transaction (embedded/oidc-store.ts). Keys of the table:
 * - `entry:<Model>:<id>` → the payload as JSON text (with `consumed` once consumed);
 * - `uid:<Model>:<uid>`, `userCode:<Model>:<userCode>` → the entry key, same end as the entry;
 * - `grant:<grantId>` → the keys of the grant's entries, ending with the last of them.
 */
import type { Clock } from '../../domain/clock';
import { OIDC_GRANT_MEMBERS, type OidcPayload, type OidcStore } from '../stores';

/** A value and the moment it ends (epoch ms; `NEVER` for entries written without a lifetime). */
export interface OidcRow {
  value: string | string[];
  expireAt: number;
}

export const NEVER = Number.MAX_SAFE_INTEGER;

/** Where the rows live; every call is synchronous. */
export interface OidcTable {
  get(key: string): OidcRow | undefined;
  put(key: string, row: OidcRow): void;
  remove(key: string): void;
}

const entryKey = (model: string, id: string) => `entry:${model}:${id}`;
const indexKeys = (model: string, payload: OidcPayload): string[] => [
  ...(typeof payload.uid === 'string' ? [`uid:${model}:${payload.uid}`] : []),
  ...(typeof payload.userCode === 'string' ? [`userCode:${model}:${payload.userCode}`] : []),
];
const grantOf = (model: string, payload: OidcPayload): string | null =>
  OIDC_GRANT_MEMBERS.has(model) && typeof payload.grantId === 'string' ? payload.grantId : null;

/** The rules of {@link OidcStore}, synchronous, over a table and a clock. */
export class OidcRecords {
  constructor(
    private readonly table: OidcTable,
    private readonly now: Clock,
  ) {}

  #live(key: string): OidcRow | undefined {
    const row = this.table.get(key);
    return row && row.expireAt > this.now() ? row : undefined;
  }

  #text(key: string): string | undefined {
    const value = this.#live(key)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  #payload(key: string): OidcPayload | undefined {
    const text = this.#text(key);
    return text === undefined ? undefined : (JSON.parse(text) as OidcPayload);
  }

  /** Removes the uid and userCode indexes of `key` (only where they still point to it). */
  #unindex(key: string, model: string, payload: OidcPayload, grant = true): void {
    for (const index of indexKeys(model, payload)) if (this.#text(index) === key) this.table.remove(index);
    const grantId = grant ? grantOf(model, payload) : null;
    if (grantId === null) return;
    const row = this.#live(`grant:${grantId}`);
    const members = Array.isArray(row?.value) ? row.value.filter((member) => member !== key) : [];
    if (row && members.length > 0) this.table.put(`grant:${grantId}`, { value: members, expireAt: row.expireAt });
    else this.table.remove(`grant:${grantId}`);
  }

  upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): void {
    const key = entryKey(model, id);
    const previous = this.#payload(key);
    if (previous) this.#unindex(key, model, previous);
    const expireAt = expiresInSeconds === undefined ? NEVER : this.now() + Math.round(expiresInSeconds * 1000);
    if (expireAt <= this.now()) {
      this.table.remove(key);
      return;
    }
    this.table.put(key, { value: JSON.stringify(payload), expireAt });
    for (const index of indexKeys(model, payload)) this.table.put(index, { value: key, expireAt });
    const grantId = grantOf(model, payload);
    if (grantId === null) return;
    const row = this.#live(`grant:${grantId}`);
    const members = Array.isArray(row?.value) ? row.value.filter((member) => member !== key) : [];
    this.table.put(`grant:${grantId}`, { value: [...members, key], expireAt: Math.max(expireAt, row?.expireAt ?? 0) });
  }

  find(model: string, id: string): OidcPayload | undefined {
    return this.#payload(entryKey(model, id));
  }

  /** The entry an index points to, if it still carries `field: value`. */
  findBy(model: string, field: 'uid' | 'userCode', value: string): OidcPayload | undefined {
    const key = this.#text(`${field}:${model}:${value}`);
    const payload = key === undefined ? undefined : this.#payload(key);
    return payload?.[field] === value ? payload : undefined;
  }

  consume(model: string, id: string): boolean {
    const key = entryKey(model, id);
    const row = this.#live(key);
    if (typeof row?.value !== 'string') return false;
    const payload = JSON.parse(row.value) as OidcPayload;
    if (payload.consumed !== undefined) return false;
    payload.consumed = Math.floor(this.now() / 1000);
    this.table.put(key, { value: JSON.stringify(payload), expireAt: row.expireAt });
    return true;
  }

  destroy(model: string, id: string): void {
    const key = entryKey(model, id);
    const payload = this.#payload(key);
    this.table.remove(key);
    if (payload) this.#unindex(key, model, payload);
  }

  revokeByGrantId(grantId: string): void {
    const row = this.#live(`grant:${grantId}`);
    this.table.remove(`grant:${grantId}`);
    if (!Array.isArray(row?.value)) return;
    for (const key of row.value) {
      const payload = this.#payload(key);
      this.table.remove(key);
      // `entry:<Model>:<id>`: the model is the second part.
      if (payload) this.#unindex(key, key.split(':')[1] ?? '', payload, false);
    }
  }
}

/** The OIDC store in this process (the memory backend), swept with the other stores. */
export class MemoryOidcStore implements OidcStore {
  readonly #rows = new Map<string, OidcRow>();
  readonly #records: OidcRecords;

  constructor(private readonly now: Clock) {
    const rows = this.#rows;
    this.#records = new OidcRecords(
      { get: (key) => rows.get(key), put: (key, row) => rows.set(key, row), remove: (key) => rows.delete(key) },
      now,
    );
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void> {
    this.#records.upsert(model, id, payload, expiresInSeconds);
  }

  async find(model: string, id: string): Promise<OidcPayload | undefined> {
    return this.#records.find(model, id);
  }

  async findByUid(model: string, uid: string): Promise<OidcPayload | undefined> {
    return this.#records.findBy(model, 'uid', uid);
  }

  async findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined> {
    return this.#records.findBy(model, 'userCode', userCode);
  }

  async consume(model: string, id: string): Promise<boolean> {
    return this.#records.consume(model, id);
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#records.destroy(model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#records.revokeByGrantId(grantId);
  }

  /** Drops ended rows. */
  sweep(): void {
    const at = this.now();
    for (const [key, row] of this.#rows) if (row.expireAt <= at) this.#rows.delete(key);
  }
}
