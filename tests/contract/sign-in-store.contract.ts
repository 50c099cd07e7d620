/**
 * The sign-in store's contract (`SignInStore`, server/backend/stores.ts), one suite for every
 * backend: tests/unit/memory-sign-in-store.test.ts, tests/integration/embedded-sign-in-store.test.ts
 * and tests/integration/redis-sign-in-store.test.ts call `signInStoreContract(name, factory)`.
 * Time moves through `clock.advance` (a fake clock, or a real sleep for Redis): lifetimes of 1 s
 * with wide margins, never more than 1500 ms of waiting in one case. What only some backends
 * have is asked of them through the factory: `sibling` (another instance on the same state,
 * at the same time) and `reopen` (the same state after closing: durability).
 */
import type { SignInRecord, SignInStore } from '../../server/backend/stores';
import { type ContractClock, unique } from './store-fixtures';

export interface SignInStoreUnderTest {
  signIns: SignInStore;
  clock: ContractClock;
  /** Another instance on the same state, open at the same time (several-instance backends). */
  sibling?(): Promise<SignInStore>;
  /** Closes the store and opens it again on the same state (durable backends). */
  reopen?(): Promise<SignInStore>;
  cleanup(): Promise<void>;
}

export type SignInStoreFactory = () => Promise<SignInStoreUnderTest>;

/** What a backend offers beyond one process's memory; the matching cases run only then. */
export interface SignInStoreCapabilities {
  /** Several instances share the state (`sibling()`). */
  shared?: boolean;
  /** The state survives closing (`reopen()`). */
  durable?: boolean;
}

/** A record as the service would write one: created `now`, ending in an hour unless overridden. */
export function signInFixture(userId: string, now: number, overrides: Partial<SignInRecord> = {}): SignInRecord {
  return {
    id: `sid-${unique()}`,
    userId,
    appId: 'demo',
    browser: 'Chrome 131',
    os: 'macOS 14',
    ip: '203.0.113.7',
    createdAt: now,
    expireAt: now + 3_600_000,
    ...overrides,
  };
}

const ids = (records: SignInRecord[]) => records.map((record) => record.id);

export function signInStoreContract(name: string, factory: SignInStoreFactory, capabilities: SignInStoreCapabilities = {}): void {
  describe(`sign-in store contract: ${name}`, () => {
    let sut: SignInStoreUnderTest;
    let signIns: SignInStore;
    let user: string;
    /** A record of `user` (or `owner`) created `ago` ms before now. */
    const record = (ago = 0, overrides: Partial<SignInRecord> = {}, owner = user) => signInFixture(owner, sut.clock.now() - ago, overrides);
    beforeEach(async () => {
      sut = await factory();
      signIns = sut.signIns;
      user = `user-${unique()}`;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('get and list return what add wrote, as copies; an unknown id is null', async () => {
      const written = record(0, { providerSession: `uid-${unique()}` });
      const input = structuredClone(written);
      await signIns.add(input, 10);
      input.os = 'changed after the add';
      const got = await signIns.get(user, written.id);
      expect(got).toStrictEqual(written);
      if (got) got.browser = 'Mallory';
      const [listed] = await signIns.list(user);
      expect(listed).toStrictEqual(written);
      if (listed) listed.ip = '198.51.100.1';
      expect(await signIns.get(user, written.id)).toStrictEqual(written);
      expect(await signIns.list(user)).toStrictEqual([written]);
      expect(await signIns.get(user, `sid-${unique()}`)).toBeNull();
      expect(await signIns.list(`user-${unique()}`)).toStrictEqual([]);
    });

    it('a record with a provider session and one without round-trip exactly (no key added)', async () => {
      const through = record(1000, { providerSession: `uid-${unique()}` });
      const direct = record(0);
      await signIns.add(through, 10);
      await signIns.add(direct, 10);
      const got = await signIns.get(user, direct.id);
      expect(got).toStrictEqual(direct);
      expect(Object.keys(got ?? {}).sort()).toEqual(Object.keys(direct).sort());
      expect(got).not.toHaveProperty('providerSession');
      expect(await signIns.get(user, through.id)).toStrictEqual(through);
      expect(await signIns.list(user)).toStrictEqual([direct, through]);
      expect(await signIns.remove(user, direct.id)).toStrictEqual(direct);
    });

    it('unicode in the browser and the os comes back as written', async () => {
      const written = record(0, { browser: 'Chrome 131 — 浏览器 🦊', os: 'Ünïcødé OS 14 · Ελληνικά' });
      await signIns.add(written, 10);
      expect(await signIns.get(user, written.id)).toStrictEqual(written);
      expect(await signIns.list(user)).toStrictEqual([written]);
      expect(await signIns.remove(user, written.id)).toStrictEqual(written);
    });

    it('list is newest first by createdAt, whatever the order of the adds', async () => {
      const [oldest, middle, newest] = [record(30_000), record(20_000), record(10_000)];
      for (const each of [middle, newest, oldest]) await signIns.add(each, 10);
      expect(ids(await signIns.list(user))).toEqual([newest.id, middle.id, oldest.id]);
    });

    it("another user's record is null for get and remove and absent from the list", async () => {
      const mine = record(1000);
      const theirs = record(0, {}, `user-${unique()}`);
      await signIns.add(mine, 10);
      await signIns.add(theirs, 10);
      expect(await signIns.get(user, theirs.id)).toBeNull();
      expect(await signIns.get(theirs.userId, mine.id)).toBeNull();
      expect(await signIns.remove(user, theirs.id)).toBeNull();
      expect(await signIns.remove(theirs.userId, mine.id)).toBeNull();
      expect(await signIns.list(user)).toStrictEqual([mine]);
      expect(await signIns.list(theirs.userId)).toStrictEqual([theirs]);
    });

    it('beyond max, the oldest by createdAt are dropped (not the last added)', async () => {
      const max = 3;
      const records = Array.from({ length: max + 2 }, (_, index) => record((max + 2 - index) * 1000));
      const newest = records.slice(2).reverse();
      // The oldest come last: a trim by order of adding would keep them.
      for (const each of [...records.slice(2), ...records.slice(0, 2)]) await signIns.add(each, max);
      expect(ids(await signIns.list(user))).toEqual(ids(newest));
      for (const dropped of records.slice(0, 2)) {
        expect(await signIns.get(user, dropped.id)).toBeNull();
        expect(await signIns.remove(user, dropped.id)).toBeNull();
      }
    });

    it('concurrent adds past max leave exactly max, the newest; other users keep theirs', async () => {
      const max = 3;
      const other = record(0, {}, `user-${unique()}`);
      await signIns.add(other, 1);
      const records = Array.from({ length: max + 2 }, (_, index) => record((max + 2 - index) * 1000));
      await Promise.all(records.map((each) => signIns.add(each, max)));
      expect(ids(await signIns.list(user))).toEqual(ids(records.slice(2).reverse()));
      expect(await signIns.list(other.userId)).toStrictEqual([other]);
    });

    it('of 10 concurrent removes of one record, exactly one gets it', async () => {
      const written = record();
      await signIns.add(written, 10);
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => signIns.remove(user, written.id)));
      const taken = outcomes.filter((outcome) => outcome !== null);
      expect(taken).toStrictEqual([written]);
      expect(await signIns.list(user)).toStrictEqual([]);
    });

    it('users whose ids share a beginning (even up to a NUL, as an external sub may) keep apart', async () => {
      const [mine, theirs] = [record(0, {}, user), record(0, {}, `${user}\u0000x`)];
      await signIns.add(mine, 10);
      await signIns.add(theirs, 10);
      expect(await signIns.list(user)).toStrictEqual([mine]);
      expect(await signIns.list(`${user}\u0000x`)).toStrictEqual([theirs]);
      expect(await signIns.get(user, theirs.id)).toBeNull();
    });

    it('adding a record with an id the user has replaces it (a sign-in renewed)', async () => {
      const first = record(5000);
      await signIns.add(first, 10);
      const renewed = { ...record(0), id: first.id, browser: 'Firefox 133' };
      await signIns.add(renewed, 10);
      expect(await signIns.list(user)).toStrictEqual([renewed]);
    });

    it('a removed record is gone for get, list and remove; the others stay', async () => {
      const [kept, removed] = [record(1000), record(0)];
      await signIns.add(kept, 10);
      await signIns.add(removed, 10);
      expect(await signIns.remove(user, removed.id)).toStrictEqual(removed);
      expect(await signIns.get(user, removed.id)).toBeNull();
      expect(await signIns.remove(user, removed.id)).toBeNull();
      expect(await signIns.list(user)).toStrictEqual([kept]);
      expect(await signIns.remove(user, `sid-${unique()}`)).toBeNull();
    });

    describe('expiry', () => {
      it('a record is there before its expireAt and gone after, for get, list and remove', async () => {
        const short = record(0, { expireAt: sut.clock.now() + 1000 });
        const long = record(1000);
        await signIns.add(short, 10);
        await signIns.add(long, 10);
        await sut.clock.advance(400);
        expect(await signIns.get(user, short.id)).toStrictEqual(short);
        expect(ids(await signIns.list(user))).toEqual([short.id, long.id]);
        await sut.clock.advance(900);
        expect(await signIns.get(user, short.id)).toBeNull();
        expect(await signIns.list(user)).toStrictEqual([long]);
        expect(await signIns.remove(user, short.id)).toBeNull();
        expect(await signIns.get(user, long.id)).toStrictEqual(long);
      });

      it('ended records do not count toward max; a record already ended is never seen', async () => {
        const long = record(5000);
        await signIns.add(long, 2);
        // The newest by createdAt: counted while ended, it would push `long` out.
        await signIns.add(record(-100_000, { expireAt: sut.clock.now() + 1000 }), 2);
        const past = record(0, { expireAt: sut.clock.now() - 1 });
        await signIns.add(past, 2);
        expect(await signIns.get(user, past.id)).toBeNull();
        expect(await signIns.list(user)).toHaveLength(2);
        await sut.clock.advance(1300);
        const newer = record(0);
        await signIns.add(newer, 2);
        expect(await signIns.list(user)).toStrictEqual([newer, long]);
      });
    });

    // Only where the backend offers it (nothing to skip elsewhere).
    if (capabilities.shared)
      it("another instance on the same state sees this one's records, and of two removes one wins", async () => {
        const other = await sut.sibling?.();
        if (!other) throw new Error('the factory has no sibling()');
        const [first, second] = [record(1000), record(0)];
        await signIns.add(first, 10);
        await other.add(second, 10);
        expect(await other.get(user, first.id)).toStrictEqual(first);
        expect(await signIns.list(user)).toStrictEqual([second, first]);
        expect(await other.list(user)).toStrictEqual([second, first]);
        const outcomes = await Promise.all([signIns.remove(user, first.id), other.remove(user, first.id)]);
        expect(outcomes.filter((outcome) => outcome !== null)).toStrictEqual([first]);
        expect(await other.list(user)).toStrictEqual([second]);
      });

    if (capabilities.durable)
      it('the records are there after closing and opening again, and still trimmed by max', async () => {
        if (!sut.reopen) throw new Error('the factory has no reopen()');
        const [oldest, removed, kept] = [record(3000), record(2000), record(1000, { providerSession: 'uid-1' })];
        for (const each of [oldest, removed, kept]) await signIns.add(each, 10);
        await signIns.remove(user, removed.id);
        signIns = await sut.reopen();
        expect(await signIns.list(user)).toStrictEqual([kept, oldest]);
        expect(await signIns.get(user, removed.id)).toBeNull();
        const newest = record(0);
        await signIns.add(newest, 2);
        expect(await signIns.list(user)).toStrictEqual([newest, kept]);
      });
  });
}
