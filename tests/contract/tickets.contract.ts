/**
 * The store contract, `QrStore` tickets (server/backend/stores.ts): written with the confirming
 * compareAndSet, peeked without being consumed, taken once (atomically), gone at `expireAt`.
 */
import type { NewTicket, QrStore } from '../../server/backend/stores';
import { confirmed, scanned, sessionFixture, unique } from './store-fixtures';
import type { ContractClock, StoreUnderTest } from './store-fixtures';

export function ticketsContract(sut: () => StoreUnderTest): void {
  let store: QrStore;
  let clock: ContractClock;
  beforeEach(() => {
    ({ store, clock } = sut());
  });

  async function withTicket(): Promise<NewTicket> {
    const session = scanned(sessionFixture(clock.now()));
    await store.create(session);
    const { next, ticket } = confirmed(session, clock.now());
    expect(await store.compareAndSet(next, session.version, ticket)).toBe(true);
    return ticket;
  }

  describe('peek and take', () => {
    it('peekTicket does not consume the ticket', async () => {
      const ticket = await withTicket();
      expect(await store.peekTicket(ticket.hash)).toStrictEqual(ticket.record);
      expect(await store.peekTicket(ticket.hash)).toStrictEqual(ticket.record);
      expect(await store.takeTicket(ticket.hash)).toStrictEqual(ticket.record);
    });

    it('takeTicket works once', async () => {
      const ticket = await withTicket();
      expect(await store.takeTicket(ticket.hash)).toStrictEqual(ticket.record);
      expect(await store.takeTicket(ticket.hash)).toBeNull();
      expect(await store.peekTicket(ticket.hash)).toBeNull();
    });

    it('unknown tickets are null for peek and take', async () => {
      expect(await store.peekTicket(`th-${unique()}`)).toBeNull();
      expect(await store.takeTicket(`th-${unique()}`)).toBeNull();
    });

    it('taking one ticket leaves the others', async () => {
      const a = await withTicket();
      const b = await withTicket();
      expect(await store.takeTicket(a.hash)).toStrictEqual(a.record);
      expect(await store.peekTicket(b.hash)).toStrictEqual(b.record);
    });

    it('taking the ticket leaves the session as it was', async () => {
      const session = scanned(sessionFixture(clock.now()));
      await store.create(session);
      const { next, ticket } = confirmed(session, clock.now());
      await store.compareAndSet(next, session.version, ticket);
      await store.takeTicket(ticket.hash);
      expect(await store.get(session.random)).toStrictEqual(next);
    });

    it('of 50 concurrent takeTicket calls, exactly one gets the record', async () => {
      const ticket = await withTicket();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.takeTicket(ticket.hash)));
      const won = results.filter((record) => record !== null);
      expect(won).toHaveLength(1);
      expect(won[0]).toStrictEqual(ticket.record);
      expect(await store.peekTicket(ticket.hash)).toBeNull();
    });

    it('mutating a peeked ticket record does not change the store', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const { next, ticket } = confirmed(session, clock.now());
      await store.compareAndSet(next, 0, ticket);
      const peeked = await store.peekTicket(ticket.hash);
      if (!peeked) throw new Error('missing');
      peeked.userId = 'mallory';
      expect(await store.takeTicket(ticket.hash)).toStrictEqual(ticket.record);
    });
  });

  // Time-dependent cases: lifetimes of ~1 s with ≥ 300 ms margins, so a Redis factory can
  // map `advance` to a real sleep and still pass reliably.
  describe('expiry', () => {
    it('a ticket vanishes after its expireAt for peek and take', async () => {
      const now = clock.now();
      const session = scanned(sessionFixture(now));
      await store.create(session);
      const { next, ticket } = confirmed(session, now, 800);
      await store.compareAndSet(next, session.version, ticket);
      expect(await store.peekTicket(ticket.hash)).toStrictEqual(ticket.record);
      await clock.advance(1200);
      expect(await store.peekTicket(ticket.hash)).toBeNull();
      expect(await store.takeTicket(ticket.hash)).toBeNull();
      // The session itself is kept for its own retention.
      expect(await store.get(session.random)).toStrictEqual(next);
    });

    it('a ticket is still redeemable before its expireAt', async () => {
      const now = clock.now();
      const session = scanned(sessionFixture(now));
      await store.create(session);
      const { next, ticket } = confirmed(session, now, 1500);
      await store.compareAndSet(next, session.version, ticket);
      await clock.advance(800);
      expect(await store.takeTicket(ticket.hash)).toStrictEqual(ticket.record);
    });
  });
}
