/**
 * The expiry sweep (server/services/expiry-sweep.ts) on the memory stores and a movable clock:
 * a QR is told `qr.expired` once, EXPIRY_SETTLE_MS after its deadline, only if it is still
 * undecided then; a confirm decided before the deadline whose write lands after it is never told
 * expired (the race the settling delay exists for); a QR whose read fails is read again.
 */
import { createMemoryStores } from '../../server/backend/memory/stores';
import type { Stores } from '../../server/backend/stores';
import { EXPIRY_SETTLE_MS, type QrSession, expirySettlesAt } from '../../server/domain/qr-session';
import { createLogger } from '../../server/logger';
import { createEventBus } from '../../server/services/events';
import { startExpirySweep } from '../../server/services/expiry-sweep';
import { confirmed, scanned, sessionFixture } from '../contract/store-fixtures';
import { movableClock } from '../helpers/time';

function harness() {
  const clock = movableClock(Date.UTC(2030, 0, 1));
  const stores: Stores = createMemoryStores(clock.now);
  const events = createEventBus((error) => {
    throw error;
  });
  const told: string[] = [];
  events.on('qr.expired', ({ session }) => told.push(session.random));
  const lines: string[] = [];
  const sweep = startExpirySweep({
    stores,
    events,
    now: clock.now,
    logger: createLogger('warn', (line) => lines.push(line)),
    intervalMs: 3_600_000,
  });
  /** A QR stored, its deadline noted at `noteAt` (default: as the service does, when its expiry settles). */
  const create = async (noteAt: (session: QrSession) => number = expirySettlesAt): Promise<QrSession> => {
    const session = sessionFixture(clock.now());
    await stores.qr.create(session);
    await stores.deadlines.add(session.random, noteAt(session));
    return session;
  };
  return { clock, stores, told, lines, sweep, create };
}

test('an undecided QR is told expired once, when its expiry settles, not at the deadline', async () => {
  const { clock, told, sweep, create } = harness();
  const pending = await create();
  clock.set(pending.expireAt);
  await sweep.sweep();
  expect(told).toEqual([]);
  clock.set(pending.expireAt + EXPIRY_SETTLE_MS - 1);
  await sweep.sweep();
  expect(told).toEqual([]);
  clock.set(pending.expireAt + EXPIRY_SETTLE_MS);
  await sweep.sweep();
  expect(told).toEqual([pending.random]);
  clock.advance(60_000);
  await sweep.sweep();
  expect(told).toEqual([pending.random]);
  await sweep.close();
});

test('a confirm decided before the deadline and written after it is never told expired', async () => {
  const { clock, stores, told, sweep, create } = harness();
  // Its deadline noted at the deadline itself (as by an instance of an earlier version): the
  // sweep takes it then, and must not judge it before it settles.
  const qr = await create((session) => session.expireAt);
  const seen = scanned(qr);
  await stores.qr.compareAndSet(seen, qr.version);
  // Decided a hair before the deadline; the write lands 2 s after it (a slow store).
  const { next, ticket } = confirmed(seen, qr.expireAt - 1);
  clock.set(qr.expireAt + 1_000);
  await sweep.sweep();
  clock.set(qr.expireAt + 2_000);
  expect(await stores.qr.compareAndSet(next, seen.version, ticket)).toBe(true);
  clock.set(qr.expireAt + EXPIRY_SETTLE_MS + 1_000);
  await sweep.sweep();
  expect(told).toEqual([]);
  await sweep.close();
});

test('a QR whose read fails is read again a second later, and told then', async () => {
  const { clock, stores, told, lines, sweep, create } = harness();
  const qr = await create();
  const get = stores.qr.get.bind(stores.qr);
  let failures = 1;
  stores.qr.get = async (random) => {
    if (failures-- > 0) throw new Error('store unreachable');
    return get(random);
  };
  clock.set(expirySettlesAt(qr));
  await sweep.sweep();
  expect(told).toEqual([]);
  expect(lines.join('\n')).toContain('could not read some QR codes');
  clock.advance(1_000);
  await sweep.sweep();
  expect(told).toEqual([qr.random]);
  await sweep.close();
});

test('a deadline taken by an instance whose clock is behind is noted again, and told once it settles there', async () => {
  const { clock, told, sweep, create } = harness();
  // Noted by an instance whose clock runs 3 s ahead of this one.
  const qr = await create((session) => expirySettlesAt(session) - 3_000);
  clock.set(expirySettlesAt(qr) - 3_000);
  await sweep.sweep();
  expect(told).toEqual([]);
  clock.set(expirySettlesAt(qr));
  await sweep.sweep();
  expect(told).toEqual([qr.random]);
  await sweep.close();
});
