/**
 * The storage contract against the durable embedded stores (server/backend/embedded: LMDB in a
 * temporary directory per case, on a fake clock), plus what durability adds: everything written
 * is there after the environment is closed and opened again.
 */
import { appendFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { QrSession } from '../../server/domain/qr-session';
import { EmbeddedQrStore, createEmbeddedStores, writerOf } from '../../server/backend/embedded/stores';
import { confirmed, scanned, sessionFixture, storeContract, userFixture } from '../contract/store.contract';
import { movableClock } from '../helpers/time';
import { useTempFolders } from '../helpers/temp-folders';

const START = Date.UTC(2030, 0, 1);
const freshDirectory = useTempFolders('qrlogin-embedded-');

for (const sync of ['interval', 'commit'] as const) {
  storeContract(`embedded (LMDB, DATA_SYNC=${sync})`, async () => {
    const clock = movableClock(START);
    const stores = createEmbeddedStores(freshDirectory(), clock.now, { sync });
    return { store: stores.qr, users: stores.users, scans: stores.scans, revoked: stores.revoked, clock, cleanup: () => stores.close() };
  });
}

test.each(['interval', 'commit'] as const)(
  'DATA_SYNC=%s: sessions, tickets, users and revocations survive closing and opening again',
  async (sync) => {
    const clock = movableClock(START);
    const path = freshDirectory();
    const first = createEmbeddedStores(path, clock.now, { sync });
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

    const again = createEmbeddedStores(path, clock.now, { sync });
    try {
      expect(await again.qr.get(session.random)).toStrictEqual(done.next);
      expect(await again.qr.takeTicket(done.ticket.hash)).toStrictEqual(done.ticket.record);
      expect(await again.users.findByUsername(user.username.toUpperCase())).toStrictEqual(user);
      // Pending-scan places are kept in memory with the journal (like rate-limit windows), in LMDB otherwise.
      expect(await again.scans.reserve(user.id, 'another-random', clock.now() + 60_000, 5)).toBe(sync === 'interval' ? 'added' : 'held');
      expect(await again.revoked.isRevoked('a-jti')).toBe(true);
    } finally {
      await again.close();
    }
  },
);

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

describe('the journal (DATA_SYNC=interval)', () => {
  /** The journal files of `from` copied to `to` before any checkpoint: what a killed process leaves. */
  const copyJournal = (from: string, to: string) => {
    for (const name of readdirSync(from).filter((file) => file.startsWith('journal-'))) copyFileSync(join(from, name), join(to, name));
  };

  it('changes answered but not yet in LMDB are replayed on open; a torn last line is ignored', async () => {
    const clock = movableClock(START);
    const live = freshDirectory();
    const stores = createEmbeddedStores(live, clock.now);
    const session = sessionFixture(clock.now());
    await stores.qr.create(session);
    const scan = scanned(session, 'user-1');
    await stores.qr.compareAndSet(scan, 0);
    const done = confirmed(scan, clock.now());
    await stores.qr.compareAndSet(done.next, 1, done.ticket);
    // Copied at once: the checkpoint (a few ms later) has not run.
    const crashed = freshDirectory();
    copyJournal(live, crashed);
    const [file] = readdirSync(crashed);
    appendFileSync(join(crashed, file ?? ''), '{"op":"session","session":{"random":"torn');
    await stores.close();

    const reopened = createEmbeddedStores(crashed, clock.now);
    try {
      expect(await reopened.qr.get(session.random)).toStrictEqual(done.next);
      expect(await reopened.qr.takeTicket(done.ticket.hash)).toStrictEqual(done.ticket.record);
      expect(await reopened.qr.takeTicket(done.ticket.hash)).toBeNull();
    } finally {
      await reopened.close();
    }
    // Checkpointed into LMDB and the journal files gone.
    expect(readdirSync(crashed).filter((name) => name.startsWith('journal-'))).toEqual([]);
    const again = createEmbeddedStores(crashed, clock.now);
    try {
      expect(await again.qr.get(session.random)).toStrictEqual(done.next);
      expect(await again.qr.peekTicket(done.ticket.hash)).toBeNull();
    } finally {
      await again.close();
    }
  });
});
