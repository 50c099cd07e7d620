/**
 * The store contract, `QrStore` sessions (server/backend/stores.ts): create is NX, reads and
 * writes are copies, compareAndSet is version-checked and atomic with its ticket, and a
 * session lives until its `retainUntil`. Its tickets: tickets.contract.ts.
 */
import type { QrStore } from '../../server/backend/stores';
import { confirmed, scanned, sessionFixture, unique } from './store-fixtures';
import type { ContractClock, StoreUnderTest } from './store-fixtures';

export function qrStoreContract(sut: () => StoreUnderTest): void {
  let store: QrStore;
  let clock: ContractClock;
  beforeEach(() => {
    ({ store, clock } = sut());
  });

  describe('create / get', () => {
    it('stores a session and returns an equal copy', async () => {
      const session = sessionFixture(clock.now());
      expect(await store.create(session)).toBe(true);
      const read = await store.get(session.random);
      expect(read).toStrictEqual(session);
      expect(read).not.toBe(session);
    });

    it('get of an unknown random is null', async () => {
      expect(await store.get(`unknown-${unique()}`)).toBeNull();
    });

    it('create is NX: a second session with the same random is refused and nothing is written', async () => {
      const first = sessionFixture(clock.now());
      const second = sessionFixture(clock.now(), { random: first.random, appId: 'other', secretHash: 'other-hash' });
      expect(await store.create(first)).toBe(true);
      expect(await store.create(second)).toBe(false);
      expect(await store.get(first.random)).toStrictEqual(first);
    });

    it('create is NX even after the session changed', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const next = scanned(session);
      expect(await store.compareAndSet(next, 0)).toBe(true);
      expect(await store.create(session)).toBe(false);
      expect(await store.get(session.random)).toStrictEqual(next);
    });

    it('sessions are independent of each other', async () => {
      const a = sessionFixture(clock.now());
      const b = sessionFixture(clock.now());
      await store.create(a);
      await store.create(b);
      await store.compareAndSet(scanned(a), 0);
      expect(await store.get(b.random)).toStrictEqual(b);
    });

    it('keeps null, empty and nested values exactly', async () => {
      const session = sessionFixture(clock.now(), {
        customData: { a: { b: { c: [null, 0, '', false] } } },
        scanner: { nickname: 'Ünïcødé ✓', photo: null },
      });
      await store.create(session);
      expect(await store.get(session.random)).toStrictEqual(session);
    });
  });

  describe('stored objects are copies', () => {
    it('mutating the object passed to create does not change the store', async () => {
      const session = sessionFixture(clock.now());
      const original = structuredClone(session);
      await store.create(session);
      session.status = 2;
      session.version = 99;
      session.customData.injected = true;
      session.requester.ip = '198.51.100.1';
      expect(await store.get(original.random)).toStrictEqual(original);
    });

    it('mutating a returned session does not change the store', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const read = await store.get(session.random);
      if (!read) throw new Error('missing');
      read.status = 3;
      read.scannedUserId = 'mallory';
      (read.customData.nested as { list: unknown[] }).list.push('x');
      expect(await store.get(session.random)).toStrictEqual(session);
    });

    it('mutating the objects passed to compareAndSet does not change the store', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const { next, ticket } = confirmed(scanned(session), clock.now());
      const expectedNext = structuredClone(next);
      const expectedRecord = structuredClone(ticket.record);
      expect(await store.compareAndSet(scanned(session), 0)).toBe(true);
      expect(await store.compareAndSet(next, 1, ticket)).toBe(true);
      next.ticket = 'changed';
      next.customData.injected = 1;
      ticket.record.userId = 'mallory';
      ticket.record.expireAt += 1;
      expect(await store.get(session.random)).toStrictEqual(expectedNext);
      expect(await store.peekTicket(ticket.hash)).toStrictEqual(expectedRecord);
    });
  });

  describe('compareAndSet', () => {
    it('replaces the session when the version matches', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const next = scanned(session, 'alice');
      expect(await store.compareAndSet(next, 0)).toBe(true);
      expect(await store.get(session.random)).toStrictEqual(next);
    });

    it('refuses a stale or a future expected version and writes nothing', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const first = scanned(session, 'alice');
      expect(await store.compareAndSet(first, 0)).toBe(true);
      // A second writer that read version 0 loses.
      const stale = scanned(session, 'bob');
      expect(await store.compareAndSet(stale, 0)).toBe(false);
      const future = { ...scanned(first, 'carol'), version: 5 };
      expect(await store.compareAndSet(future, 4)).toBe(false);
      expect(await store.compareAndSet(future, 2)).toBe(false);
      expect(await store.get(session.random)).toStrictEqual(first);
    });

    it('chains versions 0 → 1 → 2', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const one = scanned(session);
      const { next: two } = confirmed(one, clock.now());
      expect(await store.compareAndSet(one, 0)).toBe(true);
      expect(await store.compareAndSet(two, 0)).toBe(false);
      expect(await store.compareAndSet(two, 1)).toBe(true);
      expect(await store.get(session.random)).toStrictEqual(two);
    });

    it('refuses an unknown session and does not create it', async () => {
      const session = sessionFixture(clock.now());
      expect(await store.compareAndSet(session, 0)).toBe(false);
      expect(await store.get(session.random)).toBeNull();
      const { next, ticket } = confirmed(session, clock.now());
      expect(await store.compareAndSet(next, 0, ticket)).toBe(false);
      expect(await store.get(session.random)).toBeNull();
      expect(await store.peekTicket(ticket.hash)).toBeNull();
    });

    it('writes the ticket in the same step when it succeeds', async () => {
      const session = scanned(sessionFixture(clock.now()));
      await store.create(session);
      const { next, ticket } = confirmed(session, clock.now());
      expect(await store.peekTicket(ticket.hash)).toBeNull();
      expect(await store.compareAndSet(next, session.version, ticket)).toBe(true);
      expect(await store.get(session.random)).toStrictEqual(next);
      expect(await store.peekTicket(ticket.hash)).toStrictEqual(ticket.record);
    });

    it('does not write the ticket when the version check fails', async () => {
      const session = scanned(sessionFixture(clock.now()));
      await store.create(session);
      const { next, ticket } = confirmed(session, clock.now());
      expect(await store.compareAndSet(next, session.version + 1, ticket)).toBe(false);
      expect(await store.peekTicket(ticket.hash)).toBeNull();
      expect(await store.takeTicket(ticket.hash)).toBeNull();
      expect(await store.get(session.random)).toStrictEqual(session);
    });

    it('of 50 concurrent writers with the same expected version, exactly one wins', async () => {
      const session = sessionFixture(clock.now());
      await store.create(session);
      const candidates = Array.from({ length: 50 }, (_, i) => scanned(session, `user-${i}`));
      const results = await Promise.all(candidates.map((next) => store.compareAndSet(next, 0)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = candidates[results.indexOf(true)];
      expect(await store.get(session.random)).toStrictEqual(winner);
    });

    it('of 50 concurrent confirms with tickets, exactly one ticket is written', async () => {
      const session = scanned(sessionFixture(clock.now()));
      await store.create(session);
      const attempts = Array.from({ length: 50 }, () => confirmed(session, clock.now()));
      const results = await Promise.all(attempts.map(({ next, ticket }) => store.compareAndSet(next, session.version, ticket)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const peeked = await Promise.all(attempts.map(({ ticket }) => store.peekTicket(ticket.hash)));
      expect(peeked.filter((record) => record !== null)).toHaveLength(1);
      expect(peeked.findIndex((record) => record !== null)).toBe(results.indexOf(true));
    });
  });

  describe('concurrent create', () => {
    it('of 50 concurrent creates of one random, exactly one succeeds', async () => {
      const base = sessionFixture(clock.now());
      const candidates = Array.from({ length: 50 }, (_, i) => ({ ...structuredClone(base), secretHash: `h${i}` }));
      const results = await Promise.all(candidates.map((session) => store.create(session)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get(base.random)).toStrictEqual(candidates[results.indexOf(true)]);
    });
  });

  // Time-dependent cases: lifetimes of ~1 s with ≥ 300 ms margins, so a Redis factory can
  // map `advance` to a real sleep and still pass reliably.
  describe('expiry', () => {
    it('a session vanishes after retainUntil', async () => {
      const now = clock.now();
      const session = sessionFixture(now, { expireAt: now + 500, retainUntil: now + 1000 });
      await store.create(session);
      expect(await store.get(session.random)).toStrictEqual(session);
      await clock.advance(1300);
      expect(await store.get(session.random)).toBeNull();
    });

    it('a session is still there before retainUntil, even past its expireAt', async () => {
      const now = clock.now();
      const session = sessionFixture(now, { expireAt: now + 200, retainUntil: now + 1500 });
      await store.create(session);
      await clock.advance(700);
      expect(await store.get(session.random)).toStrictEqual(session);
    });

    it('after retention, the random can be created again and compareAndSet is refused', async () => {
      const now = clock.now();
      const session = sessionFixture(now, { retainUntil: now + 800 });
      await store.create(session);
      await clock.advance(1100);
      expect(await store.compareAndSet(scanned(session), 0)).toBe(false);
      expect(await store.get(session.random)).toBeNull();
      const later = clock.now();
      const again = sessionFixture(later, { random: session.random, retainUntil: later + 60_000 });
      expect(await store.create(again)).toBe(true);
      expect(await store.get(session.random)).toStrictEqual(again);
    });

    it("compareAndSet keeps the record until the next session's retainUntil", async () => {
      const now = clock.now();
      const session = sessionFixture(now, { retainUntil: now + 600 });
      await store.create(session);
      const next = { ...scanned(session), retainUntil: now + 1600 };
      expect(await store.compareAndSet(next, 0)).toBe(true);
      await clock.advance(1000);
      expect(await store.get(session.random)).toStrictEqual(next);
      await clock.advance(1000);
      expect(await store.get(session.random)).toBeNull();
    });

    it('compareAndSet can shorten the retention too', async () => {
      const now = clock.now();
      const session = sessionFixture(now, { retainUntil: now + 60_000 });
      await store.create(session);
      const next = { ...scanned(session), retainUntil: now + 700 };
      expect(await store.compareAndSet(next, 0)).toBe(true);
      await clock.advance(1100);
      expect(await store.get(session.random)).toBeNull();
    });
  });
}
