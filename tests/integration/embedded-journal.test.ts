/**
 * The embedded store's journal (DATA_SYNC=interval, server/backend/embedded/journal.ts and
 * journaled-qr-store.ts) on a real LMDB in a temporary folder: what a killed process left is
 * replayed in order over what LMDB already has (a taken ticket stays taken), a checkpoint that
 * fails loses nothing and does not stop the next, and damaged lines never stop the start.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RootDatabase, open } from 'lmdb';
import type { QrSession, TicketRecord } from '../../server/domain/qr-session';
import { JournaledQrStore, type TransactionRunner } from '../../server/backend/embedded/journaled-qr-store';
import type { Expiring } from '../../server/backend/embedded/write';
import { confirmed, scanned, sessionFixture } from '../contract/store-fixtures';
import { movableClock } from '../helpers/time';

const START = Date.UTC(2030, 0, 1);
const folders: string[] = [];
const freshFolder = () => {
  const path = mkdtempSync(join(tmpdir(), 'qrlogin-journal-'));
  folders.push(path);
  return path;
};
const envs: RootDatabase[] = [];
afterAll(async () => {
  for (const env of envs) await env.close();
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

function openStore(dir: string, clock = movableClock(START), runner?: (env: RootDatabase) => TransactionRunner) {
  const env = open({ path: join(dir, 'qrlogin.mdb'), compression: false, noSync: true });
  envs.push(env);
  const sessions = env.openDB<Expiring<QrSession>, string>({ name: 'qr' });
  const tickets = env.openDB<Expiring<TicketRecord>, string>({ name: 'tickets' });
  const problems: string[] = [];
  const store = new JournaledQrStore(runner ? runner(env) : env, sessions, tickets, dir, clock.now, (message) => problems.push(message));
  return { store, sessions, tickets, problems, clock };
}

const journalFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('journal-'));

test('a killed process: its journal is replayed over what LMDB has, in order, and a taken ticket stays taken', async () => {
  const dir = freshFolder();
  const { store, clock } = openStore(dir);
  const first = sessionFixture(clock.now());
  await store.create(first);
  const done = confirmed(scanned(first), clock.now());
  await store.compareAndSet(scanned(first), 0);
  await store.compareAndSet(done.next, 1, done.ticket);
  await store.checkpoint();
  // In LMDB now; then changes that only the journal holds: the ticket taken, a second QR moved on.
  expect(await store.takeTicket(done.ticket.hash)).toStrictEqual(done.ticket.record);
  const second = sessionFixture(clock.now());
  await store.create(second);
  await store.compareAndSet(scanned(second), 0);
  // What `kill -9` leaves: the folder as it is, nothing closed or checkpointed.
  const crashed = freshFolder();
  cpSync(dir, crashed, { recursive: true });
  expect(journalFiles(crashed).length).toBeGreaterThan(0);

  const after = openStore(crashed);
  expect(await after.store.get(first.random)).toStrictEqual(done.next);
  expect(await after.store.peekTicket(done.ticket.hash)).toBeNull();
  expect(await after.store.takeTicket(done.ticket.hash)).toBeNull();
  expect(await after.store.get(second.random)).toStrictEqual(scanned(second));
  await after.store.checkpoint();
  expect(after.tickets.get(done.ticket.hash)).toBeUndefined();
  expect(after.sessions.get(second.random)?.value).toStrictEqual(scanned(second));
  await after.store.close();
  expect(journalFiles(crashed)).toEqual([]);
  await store.close();
});

test('a checkpoint that fails keeps the journal, is retried, and a close after it leaves the journal for the next process', async () => {
  const dir = freshFolder();
  let failing = true;
  const faulty = (env: RootDatabase): TransactionRunner => ({
    transaction: ((action: () => unknown) =>
      failing ? Promise.reject(new Error('MDB_MAP_FULL (injected)')) : env.transaction(action)) as RootDatabase['transaction'],
  });
  const { store, problems, clock } = openStore(dir, movableClock(START), faulty);
  const session = sessionFixture(clock.now());
  await store.create(session);
  await expect(store.checkpoint()).rejects.toThrow('MDB_MAP_FULL');
  expect(problems.join('\n')).toMatch(/could not move journaled changes into LMDB/);
  // Later changes still go through, and the next checkpoint still runs.
  const later = sessionFixture(clock.now());
  await store.create(later);
  await expect(store.checkpoint()).rejects.toThrow('MDB_MAP_FULL');
  await store.close();
  expect(journalFiles(dir).length).toBeGreaterThan(0);

  // The next process (LMDB healthy again) finds both in the journal and checkpoints them.
  failing = false;
  const next = openStore(dir);
  expect(await next.store.get(session.random)).toStrictEqual(session);
  expect(await next.store.get(later.random)).toStrictEqual(later);
  await next.store.checkpoint();
  expect(next.sessions.get(later.random)?.value).toStrictEqual(later);
  await next.store.close();
  expect(journalFiles(dir)).toEqual([]);
});

test('damaged journal lines are skipped and reported, the good ones kept, and the file set aside as .bad', async () => {
  const dir = freshFolder();
  const clock = movableClock(START);
  const good = sessionFixture(clock.now());
  const newer = { ...good, version: 1, status: 1 as const };
  const lines = [
    JSON.stringify({ op: 'session', session: good }),
    '{"op":"session"}',
    'null',
    '{"op":"take"}',
    '{"op":"ticket","hash":"h","record":{}}',
    'not json',
    JSON.stringify({ op: 'session', session: newer }),
    '{"op":"session","session":{"random":"torn',
  ];
  writeFileSync(join(dir, 'journal-000000000001.log'), lines.join('\n'));
  const { store, problems } = openStore(dir, clock);
  expect(await store.get(good.random)).toStrictEqual(newer);
  expect(problems).toEqual([expect.stringContaining('had 5 damaged line(s)')]);
  await store.checkpoint();
  expect(readdirSync(dir)).toContain('journal-000000000001.log.bad');
  await store.close();
});
