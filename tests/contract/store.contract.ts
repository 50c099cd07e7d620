/**
 * The storage contract (server/backend/stores.ts), one suite for every implementation:
 * `describeQrStore(name, factory)` defines the jest blocks; an implementation's test file calls it
 * with a factory (tests/unit/memory-store.test.ts for the memory stores,
 * tests/integration/redis-store.test.ts for the Redis stores).
 *
 * Time: every timestamp is taken from `clock.now()`, and time only moves through
 * `clock.advance(ms)`. The memory factory moves a fake clock; a Redis factory returns
 * `Date.now` and a real sleep, so the time-dependent cases sit in `describe('expiry')`, use
 * short lifetimes with wide margins, and never advance more than 1500 ms at once.
 */
import { randomBytes } from 'node:crypto';
import type { QrSession, TicketRecord } from '../../server/domain/qr-session';
import type { NewTicket, QrStore, RevokedTokens, UserRecord, UserStore } from '../../server/backend/stores';

export interface ContractClock {
  /** Epoch ms, the same clock the store under test reads. */
  now(): number;
  /** Moves time forward: a fake clock for memory, a real sleep for Redis. At most 1500 ms. */
  advance(ms: number): void | Promise<void>;
}

export interface StoreUnderTest {
  store: QrStore;
  users: UserStore;
  revoked: RevokedTokens;
  clock: ContractClock;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

/** A unique suffix per fixture, so suites against a shared Redis never collide. */
const unique = () => randomBytes(9).toString('base64url');

/** A pending QR session created `now`, expiring in 120 s and kept 300 s unless overridden. */
export function sessionFixture(now: number, overrides: Partial<QrSession> = {}): QrSession {
  return {
    random: `R${unique()}${unique()}`,
    appId: 'demo',
    userPoolId: 'qrlogin',
    secretHash: `hash-${unique()}`,
    createdAt: now,
    expireAt: now + 120_000,
    status: 0,
    version: 0,
    scannedUserId: null,
    customData: { from: 'contract', nested: { list: [1, 2, { deep: true }] } },
    requester: { ip: '203.0.113.7', userAgent: 'jest', browser: 'Chrome 126', os: 'Linux', origin: 'http://localhost:5173' },
    scanner: null,
    ticket: null,
    ticketExpireAt: null,
    retainUntil: now + 300_000,
    match: null,
    ...overrides,
  };
}

/** The session moved one step on (scanned by `userId`), as the service would write it. */
export function scanned(session: QrSession, userId = 'user-1'): QrSession {
  return {
    ...structuredClone(session),
    status: 1,
    version: session.version + 1,
    scannedUserId: userId,
    scanner: { nickname: `nick-${userId}`, photo: null },
  };
}

/** The session confirmed, with the ticket to write in the same step. */
export function confirmed(
  session: QrSession,
  now: number,
  ticketTtlMs = 60_000,
): { next: QrSession; ticket: NewTicket } {
  const expireAt = now + ticketTtlMs;
  const ticketValue = `T${unique()}${unique()}`;
  const next: QrSession = {
    ...structuredClone(session),
    status: 2,
    version: session.version + 1,
    ticket: ticketValue,
    ticketExpireAt: expireAt,
  };
  const record: TicketRecord = {
    random: session.random,
    appId: session.appId,
    userId: session.scannedUserId ?? 'user-1',
    secretHash: session.secretHash,
    expireAt,
  };
  return { next, ticket: { hash: `th-${unique()}${unique()}`, record } };
}

export function userFixture(now: number, overrides: Partial<UserRecord> = {}): UserRecord {
  const id = `U${unique()}`;
  return {
    id,
    username: `user_${id}`,
    passwordHash: `scrypt$N=16384,r=8,p=1$${unique()}$${unique()}`,
    nickname: 'Nick',
    photo: null,
    email: null,
    phone: null,
    createdAt: now,
    ...overrides,
  };
}

export function describeQrStore(name: string, factory: StoreFactory): void {
  describe(`QrStore / UserStore / RevokedTokens contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: QrStore;
    let users: UserStore;
    let revoked: RevokedTokens;
    let clock: ContractClock;

    beforeEach(async () => {
      sut = await factory();
      ({ store, users, revoked, clock } = sut);
    });
    afterEach(async () => {
      await sut.cleanup();
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
        const results = await Promise.all(
          attempts.map(({ next, ticket }) => store.compareAndSet(next, session.version, ticket)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const peeked = await Promise.all(attempts.map(({ ticket }) => store.peekTicket(ticket.hash)));
        expect(peeked.filter((record) => record !== null)).toHaveLength(1);
        expect(peeked.findIndex((record) => record !== null)).toBe(results.indexOf(true));
      });
    });

    describe('tickets', () => {
      async function withTicket(): Promise<NewTicket> {
        const session = scanned(sessionFixture(clock.now()));
        await store.create(session);
        const { next, ticket } = confirmed(session, clock.now());
        expect(await store.compareAndSet(next, session.version, ticket)).toBe(true);
        return ticket;
      }

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

    describe('users', () => {
      it('creates a user and finds it by id and by username', async () => {
        const user = userFixture(clock.now(), { username: 'Alice', email: 'a@example.com', photo: 'https://p/a.png' });
        expect(await users.create(user)).toBe(true);
        expect(await users.findById(user.id)).toStrictEqual(user);
        expect(await users.findByUsername('Alice')).toStrictEqual(user);
      });

      it('finds usernames case-insensitively and keeps the original spelling', async () => {
        const user = userFixture(clock.now(), { username: `MiXeD_${unique()}` });
        await users.create(user);
        expect(await users.findByUsername(user.username.toLowerCase())).toStrictEqual(user);
        expect(await users.findByUsername(user.username.toUpperCase())).toStrictEqual(user);
      });

      it('refuses a username taken in another case, and writes nothing', async () => {
        const name = `bob_${unique()}`;
        const first = userFixture(clock.now(), { username: name });
        const second = userFixture(clock.now(), { username: name.toUpperCase(), nickname: 'Impostor' });
        expect(await users.create(first)).toBe(true);
        expect(await users.create(second)).toBe(false);
        expect(await users.findById(second.id)).toBeNull();
        expect(await users.findByUsername(name)).toStrictEqual(first);
      });

      it('unknown ids and usernames are null', async () => {
        expect(await users.findById(`U${unique()}`)).toBeNull();
        expect(await users.findByUsername(`nobody_${unique()}`)).toBeNull();
      });

      it('stored users are copies', async () => {
        const user = userFixture(clock.now());
        const original = structuredClone(user);
        await users.create(user);
        user.nickname = 'changed-after-create';
        const read = await users.findById(original.id);
        if (!read) throw new Error('missing');
        read.passwordHash = 'changed-after-read';
        expect(await users.findById(original.id)).toStrictEqual(original);
        expect(await users.findByUsername(original.username)).toStrictEqual(original);
      });

      it('of 20 concurrent sign-ups for one name in different cases, exactly one succeeds', async () => {
        const name = `race_${unique()}`;
        const candidates = Array.from({ length: 20 }, (_, i) =>
          userFixture(clock.now(), { username: i % 2 === 0 ? name : name.toUpperCase() }),
        );
        const results = await Promise.all(candidates.map((user) => users.create(user)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = candidates[results.indexOf(true)];
        expect(await users.findByUsername(name)).toStrictEqual(winner);
        const losers = candidates.filter((_, i) => !results[i]);
        const found = await Promise.all(losers.map((user) => users.findById(user.id)));
        expect(found.every((user) => user === null)).toBe(true);
      });
    });

    describe('revoked tokens', () => {
      it('a revoked jti is revoked; an unknown one is not', async () => {
        const jti = `jti-${unique()}`;
        expect(await revoked.isRevoked(jti)).toBe(false);
        await revoked.revoke(jti, clock.now() + 60_000);
        expect(await revoked.isRevoked(jti)).toBe(true);
        expect(await revoked.isRevoked(`jti-${unique()}`)).toBe(false);
      });

      it('revoking one jti leaves the others alone', async () => {
        const [a, b] = [`jti-${unique()}`, `jti-${unique()}`];
        await revoked.revoke(a, clock.now() + 60_000);
        expect(await revoked.isRevoked(a)).toBe(true);
        expect(await revoked.isRevoked(b)).toBe(false);
      });

      it('revoking again is harmless', async () => {
        const jti = `jti-${unique()}`;
        await revoked.revoke(jti, clock.now() + 60_000);
        await revoked.revoke(jti, clock.now() + 60_000);
        expect(await revoked.isRevoked(jti)).toBe(true);
      });

      it('of 20 concurrent revocations of one jti, all succeed and it is revoked', async () => {
        const jti = `jti-${unique()}`;
        await Promise.all(Array.from({ length: 20 }, () => revoked.revoke(jti, clock.now() + 60_000)));
        expect(await revoked.isRevoked(jti)).toBe(true);
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

      it('a revoked jti is revoked until `until`, then vanishes', async () => {
        const jti = `jti-${unique()}`;
        await revoked.revoke(jti, clock.now() + 900);
        await clock.advance(400);
        expect(await revoked.isRevoked(jti)).toBe(true);
        await clock.advance(900);
        expect(await revoked.isRevoked(jti)).toBe(false);
      });

      it('a revocation whose `until` has passed already writes nothing', async () => {
        const jti = `jti-${unique()}`;
        await revoked.revoke(jti, clock.now() - 1);
        expect(await revoked.isRevoked(jti)).toBe(false);
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
  });
}
