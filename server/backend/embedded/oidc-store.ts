/**
 * @module
 * The OpenID Connect store on disk: the rules of memory/oidc-store.ts over one LMDB database
 * (`oidc`), every change inside one write transaction (atomic and isolated, so of concurrent
 * consumes exactly one wins), reads straight from the map. Ended rows are swept like the other
 * embedded stores' entries.
 */
import type { Database } from 'lmdb';
import type { Clock } from '../../domain/clock';
import { OidcRecords, type OidcRow } from '../memory/oidc-store';
import type { OidcPayload, OidcStore } from '../stores';
import { type Write, sweepExpired } from './write';

export class EmbeddedOidcStore implements OidcStore {
  readonly #records: OidcRecords;

  constructor(
    private readonly write: Write,
    private readonly rows: Database<OidcRow, string>,
    private readonly now: Clock,
  ) {
    this.#records = new OidcRecords(
      {
        get: (key) => rows.get(key),
        put: (key, row) => void rows.putSync(key, row),
        remove: (key) => void rows.removeSync(key),
      },
      now,
    );
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void> {
    await this.write(() => this.#records.upsert(model, id, payload, expiresInSeconds));
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

  consume(model: string, id: string): Promise<boolean> {
    return this.write(() => this.#records.consume(model, id));
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.write(() => this.#records.destroy(model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.write(() => this.#records.revokeByGrantId(grantId));
  }

  /** Drops ended rows from the disk. */
  sweep(): Promise<void> {
    return sweepExpired(this.write, this.rows, this.now());
  }
}
