/**
 * The storage contract (server/backend/stores.ts), one suite for every implementation:
 * `storeContract(name, factory)` runs every member's cases (QR sessions, tickets, users, the
 * scan index, revoked tokens; one file each beside this one) against the stores the factory
 * makes. tests/unit/memory-store.test.ts calls it for the memory stores,
 * tests/integration/redis-store.test.ts for the Redis stores, and so will every backend that
 * comes. The rest of a `Backend` (counters, key set) has its own suite: backend.contract.ts.
 *
 * Time: every timestamp is taken from `clock.now()`, and time only moves through
 * `clock.advance(ms)`. The memory factory moves a fake clock; a Redis factory returns
 * `Date.now` and a real sleep, so the time-dependent cases sit in `describe('expiry')`, use
 * short lifetimes with wide margins, and never advance more than 1500 ms at once.
 */
import { qrStoreContract } from './qr-store.contract';
import { revokedTokensContract } from './revoked-tokens.contract';
import { scanIndexContract } from './scan-index.contract';
import { ticketsContract } from './tickets.contract';
import { userStoreContract } from './user-store.contract';

export { confirmed, scanned, sessionFixture, unique, userFixture } from './store-fixtures';
export type { ContractClock, StoreUnderTest } from './store-fixtures';
import type { StoreUnderTest } from './store-fixtures';

export type StoreFactory = () => Promise<StoreUnderTest>;

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let sut: StoreUnderTest;
    beforeEach(async () => {
      sut = await factory();
    });
    afterEach(async () => {
      await sut.cleanup();
    });
    const current = () => sut;

    describe('QrStore: sessions', () => qrStoreContract(current));
    describe('QrStore: tickets', () => ticketsContract(current));
    describe('UserStore', () => userStoreContract(current));
    describe('ScanIndex', () => scanIndexContract(current));
    describe('RevokedTokens', () => revokedTokensContract(current));
  });
}
