/**
 * @module
 * Records for the store contract, built as the services would build them: a pending QR
 * session, the same moved on (scanned, confirmed with its ticket), a user. Every id is unique,
 * so suites against a shared Redis never collide.
 */
import { randomBytes } from 'node:crypto';
import type { NewTicket, QrStore, RevokedTokens, ScanIndex, UserRecord, UserStore } from '../../server/backend/stores';
import type { QrSession, TicketRecord } from '../../server/domain/qr-session';
import { shardTag } from '../../server/domain/secrets';

/** A unique suffix per fixture, so suites against a shared Redis never collide. */
export const unique = () => randomBytes(9).toString('base64url');

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
export function confirmed(session: QrSession, now: number, ticketTtlMs = 60_000): { next: QrSession; ticket: NewTicket } {
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
    // The user as confirmed (an external account is stored nowhere else): kept whole.
    user: {
      id: session.scannedUserId ?? 'user-1',
      username: 'alice',
      nickname: 'Alice 爱丽丝',
      photo: 'https://cdn.example/alice.png',
      email: 'alice@example.com',
      phone: null,
    },
    secretHash: session.secretHash,
    expireAt,
  };
  return { next, ticket: { hash: `${shardTag(session.random)}.th-${unique()}${unique()}`, record } };
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

/** The time a contract case runs on. */
export interface ContractClock {
  /** Epoch ms, the same clock the store under test reads. */
  now(): number;
  /** Moves time forward: a fake clock for memory, a real sleep for Redis. At most 1500 ms. */
  advance(ms: number): void | Promise<void>;
}

export interface StoreUnderTest {
  store: QrStore;
  users: UserStore;
  scans: ScanIndex;
  revoked: RevokedTokens;
  clock: ContractClock;
  cleanup(): Promise<void>;
}
