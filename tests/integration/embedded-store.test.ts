/**
 * The storage contract against the durable embedded stores (server/backend/embedded: LMDB in a
 * temporary directory per case, on a fake clock), plus what durability adds: everything written
 * is there after the environment is closed and opened again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { QrSession } from '../../server/domain/qr-session';
import { EmbeddedQrStore, createEmbeddedStores, writerOf } from '../../server/backend/embedded/stores';
import { confirmed, scanned, sessionFixture, storeContract, userFixture } from '../contract/store.contract';
import { movableClock } from '../helpers/time';

const START = Date.UTC(2030, 0, 1);
const directories: string[] = [];
const freshDirectory = () => {
  const path = mkdtempSync(join(tmpdir(), 'qrlogin-embedded-'));
  directories.push(path);
  return path;
};

afterAll(() => {
  for (const path of directories) rmSync(path, { recursive: true, force: true });
});

for (const sync of ['interval', 'commit'] as const) {
  storeContract(`embedded (LMDB, DATA_SYNC=${sync})`, async () => {
    const clock = movableClock(START);
    const stores = createEmbeddedStores(freshDirectory(), clock.now, { sync });
    return { store: stores.qr, users: stores.users, scans: stores.scans, revoked: stores.revoked, clock, cleanup: () => stores.close() };
  });
}

test('sessions, tickets, users, scans and revocations survive closing and opening the environment again', async () => {
  const clock = movableClock(START);
  const path = freshDirectory();
  const first = createEmbeddedStores(path, clock.now);
  const session = sessionFixture(clock.now());
  const user = userFixture(clock.now());
  await first.qr.create(session);
  const scan = scanned(session, user.id);
  await first.qr.compareAndSet(scan, 0);
  const done = confirmed(scan, clock.now());
  await first.qr.compareAndSet(done.next, 1, done.ticket);
  await first.users.create(user);
  await first.scans.reserve(user.id, 'another-random', clock.now() + 60_000, 5);
  await first.revoked.revoke('a-jti', clock.now() + 60_000);
  await first.close();

  const again = createEmbeddedStores(path, clock.now);
  try {
    expect(await again.qr.get(session.random)).toStrictEqual(done.next);
    expect(await again.qr.takeTicket(done.ticket.hash)).toStrictEqual(done.ticket.record);
    expect(await again.users.findByUsername(user.username.toUpperCase())).toStrictEqual(user);
    expect(await again.scans.reserve(user.id, 'another-random', clock.now() + 60_000, 5)).toBe('held');
    expect(await again.revoked.isRevoked('a-jti')).toBe(true);
  } finally {
    await again.close();
  }
});

test('the sweep drops ended sessions from disk and keeps live ones', async () => {
  const clock = movableClock(START);
  const env = open({ path: freshDirectory() });
  const sessions = env.openDB<{ value: QrSession; expireAt: number }, string>({ name: 'qr' });
  const store = new EmbeddedQrStore(writerOf(env, 'interval'), sessions, env.openDB({ name: 'tickets' }), clock.now);
  try {
    const made = [];
    for (let i = 0; i < 20; i += 1) {
      const session = sessionFixture(clock.now(), { retainUntil: START + (i % 2 === 0 ? 1_000 : 60_000) });
      await store.create(session);
      made.push(session);
    }
    clock.set(START + 5_000);
    await store.sweep();
    expect([...sessions.getKeys()]).toHaveLength(10);
    for (const [i, session] of made.entries()) {
      expect(await store.get(session.random)).toStrictEqual(i % 2 === 0 ? null : session);
    }
  } finally {
    await env.close();
  }
});
