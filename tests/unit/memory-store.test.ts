/**
 * The storage contract against the embedded memory stores (server/backend/memory/stores.ts) with a fake
 * clock, plus what only a fake clock can pin: the exact expiry boundary and the sweep.
 */
import {
  MemoryQrStore,
  MemoryRevokedTokens,
  MemoryScanIndex,
  MemoryUserStore,
  createMemoryStores,
} from '../../server/backend/memory/stores';
import { confirmed, scanned, sessionFixture, storeContract, userFixture } from '../contract/store.contract';
import { movableClock, sleep } from '../helpers/time';

const START = Date.UTC(2030, 0, 1);

const fakeClock = () => movableClock(START);

storeContract('memory', async () => {
  const clock = fakeClock();
  return {
    store: new MemoryQrStore(clock.now),
    users: new MemoryUserStore(),
    scans: new MemoryScanIndex(clock.now),
    revoked: new MemoryRevokedTokens(clock.now),
    clock,
    cleanup: async () => {},
  };
});

describe('MemoryQrStore with a fake clock', () => {
  it('a session is there 1 ms before retainUntil and gone exactly at retainUntil', async () => {
    const clock = fakeClock();
    const store = new MemoryQrStore(clock.now);
    const session = sessionFixture(clock.now(), { retainUntil: START + 1000 });
    await store.create(session);
    clock.set(START + 999);
    expect(await store.get(session.random)).toStrictEqual(session);
    clock.set(START + 1000);
    expect(await store.get(session.random)).toBeNull();
  });

  it('a ticket is there 1 ms before expireAt and gone exactly at expireAt', async () => {
    const clock = fakeClock();
    const store = new MemoryQrStore(clock.now);
    const session = scanned(sessionFixture(clock.now()));
    await store.create(session);
    const { next, ticket } = confirmed(session, clock.now(), 5000);
    await store.compareAndSet(next, 1, ticket);
    clock.set(START + 4999);
    expect(await store.peekTicket(ticket.hash)).toStrictEqual(ticket.record);
    clock.set(START + 5000);
    expect(await store.takeTicket(ticket.hash)).toBeNull();
  });

  it('the store does not judge the QR expiry: a stored session past expireAt is still returned as stored', async () => {
    const clock = fakeClock();
    const store = new MemoryQrStore(clock.now);
    const session = sessionFixture(clock.now(), { expireAt: START + 100, retainUntil: START + 10_000 });
    await store.create(session);
    clock.set(START + 5000);
    expect(await store.get(session.random)).toStrictEqual(session);
  });

  it('sweep() drops expired sessions and tickets for good (observable by moving the clock back)', async () => {
    const clock = fakeClock();
    const store = new MemoryQrStore(clock.now);
    const gone = scanned(sessionFixture(clock.now(), { retainUntil: START + 1000 }));
    const kept = sessionFixture(clock.now(), { retainUntil: START + 60_000 });
    await store.create(gone);
    await store.create(kept);
    const { next, ticket } = confirmed(gone, clock.now(), 1000);
    await store.compareAndSet({ ...next, retainUntil: START + 1000 }, 1, ticket);

    // Reads past a deadline delete too, so observe the sweep alone: move past, sweep, move back.
    clock.set(START + 2000);
    store.sweep();
    clock.set(START);
    expect(await store.get(gone.random)).toBeNull();
    expect(await store.peekTicket(ticket.hash)).toBeNull();
    expect(await store.get(kept.random)).toStrictEqual(kept);
  });

  it('without a sweep, an unread entry is still there when the clock moves back (control)', async () => {
    const clock = fakeClock();
    const store = new MemoryQrStore(clock.now);
    const session = sessionFixture(clock.now(), { retainUntil: START + 1000 });
    await store.create(session);
    clock.set(START + 2000);
    clock.set(START);
    expect(await store.get(session.random)).toStrictEqual(session);
  });
});

describe('MemoryRevokedTokens with a fake clock', () => {
  it('a jti is revoked 1 ms before `until` and not exactly at `until`', async () => {
    const clock = fakeClock();
    const revoked = new MemoryRevokedTokens(clock.now);
    await revoked.revoke('jti-1', START + 1000);
    clock.set(START + 999);
    expect(await revoked.isRevoked('jti-1')).toBe(true);
    clock.set(START + 1000);
    expect(await revoked.isRevoked('jti-1')).toBe(false);
  });

  it('sweep() drops entries past `until` for good (observable by moving the clock back)', async () => {
    const clock = fakeClock();
    const revoked = new MemoryRevokedTokens(clock.now);
    await revoked.revoke('gone', START + 1000);
    await revoked.revoke('kept', START + 60_000);
    clock.set(START + 2000);
    revoked.sweep();
    clock.set(START);
    expect(await revoked.isRevoked('gone')).toBe(false);
    expect(await revoked.isRevoked('kept')).toBe(true);
  });
});

describe('createMemoryStores', () => {
  it('gives working stores, answers ping and closes', async () => {
    const clock = fakeClock();
    const stores = createMemoryStores(clock.now, 10);
    const session = sessionFixture(clock.now());
    expect(await stores.qr.create(session)).toBe(true);
    expect(await stores.qr.get(session.random)).toStrictEqual(session);
    const user = userFixture(clock.now(), { username: 'Zed' });
    expect(await stores.users.create(user)).toBe(true);
    expect(await stores.users.findByUsername('zed')).toStrictEqual(user);
    await expect(stores.ping()).resolves.toBeUndefined();
    await expect(stores.close()).resolves.toBeUndefined();
  });

  it('its timer sweeps revoked tokens too', async () => {
    const clock = fakeClock();
    const stores = createMemoryStores(clock.now, 10);
    try {
      await stores.revoked.revoke('jti-swept', START + 1000);
      clock.set(START + 2000);
      await sleep(50);
      clock.set(START);
      expect(await stores.revoked.isRevoked('jti-swept')).toBe(false);
    } finally {
      await stores.close();
    }
  });
});
