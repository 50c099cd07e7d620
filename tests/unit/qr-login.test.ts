/**
 * The QR login use cases (server/services/qr-login.ts) when their version-checked write loses
 * races: each lost write is read and decided again, a transition that never wins gives up with
 * `INTERNAL` having written and emitted nothing, `qr.changed` follows only a write the store
 * took, and a scan that fails gives back the place it reserved among the user's pending scans.
 * The store is the real memory store behind a racing `QrStore` (tests/helpers/racing-store.ts).
 */
import type { UserRecord } from '../../server/backend/stores';
import type { AppConfig } from '../../server/domain/app';
import type { QrSession } from '../../server/domain/qr-session';
import { AppError } from '../../server/errors';
import { MAX_PENDING_SCANS } from '../../server/services/qr-login';
import { QR_STATUS } from '../../shared/status';
import { type RaceHarness, raceHarness } from '../helpers/racing-store';

const REQUESTER = { ip: '203.0.113.9', userAgent: 'jest', browser: 'Chrome 126', os: 'Linux', origin: null };

let h: RaceHarness;
let alice: UserRecord;
beforeEach(async () => {
  h = raceHarness();
  alice = await h.user('Alice');
});

const newQr = async (app: AppConfig = h.demo): Promise<QrSession> =>
  (await h.service.create({ app, customData: {}, requester: REQUESTER })).session;
const stored = async (random: string): Promise<QrSession | null> => h.real.qr.get(random);
const scanned = async (app?: AppConfig): Promise<QrSession> => {
  const qr = await newQr(app);
  await h.service.scan(qr.random, alice, '203.0.113.9');
  h.changed.length = 0;
  h.stores.qr.attempts.length = 0;
  return qr;
};

/** The error `promise` rejects with (it must reject with an AppError). */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => new Error('expected a refusal'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** How many times the service tries one transition before giving up. */
async function attemptsBeforeGivingUp(): Promise<number> {
  const qr = await newQr();
  h.stores.qr.loseNext(Infinity);
  await refusal(h.service.scan(qr.random, alice, '203.0.113.9'));
  return h.stores.qr.attempts.length;
}

describe('lost races', () => {
  it('a scan that loses three races is written once, on the fourth attempt; qr.changed once, after the write', async () => {
    const qr = await newQr();
    h.stores.qr.loseNext(3);
    const answer = await h.service.scan(qr.random, alice, '203.0.113.9');
    expect(answer).toMatchObject({ random: qr.random, status: QR_STATUS.SCANNED });
    expect(h.stores.qr.attempts.map((attempt) => attempt.won)).toEqual([false, false, false, true]);
    expect(await stored(qr.random)).toMatchObject({ status: QR_STATUS.SCANNED, version: 1, scannedUserId: alice.id });
    expect(h.changed.map((c) => [c.event.action, c.event.session.version])).toEqual([['scan', 1]]);
    expect(h.changed[0]?.writtenBefore).toEqual([1]);
  });

  it.each(['scan', 'confirm', 'cancel'] as const)(
    'a %s that never wins gives up with INTERNAL after a bounded number of attempts, writing and emitting nothing',
    async (action) => {
      const qr = action === 'scan' ? await newQr() : await scanned();
      const before = await stored(qr.random);
      h.stores.qr.loseNext(Infinity);
      const run = {
        scan: () => h.service.scan(qr.random, alice, '203.0.113.9'),
        confirm: () => h.service.confirm(qr.random, alice),
        cancel: () => h.service.cancel(qr.random, alice),
      }[action];
      const error = await refusal(run());
      expect(error.key).toBe('INTERNAL');
      expect((error.cause as Error).message).toMatch(/losing races/);
      // A QR has three transitions: at least that many lost races must be survivable.
      expect(h.stores.qr.attempts.length).toBeGreaterThan(3);
      expect(h.stores.qr.written).toEqual([]);
      expect(await stored(qr.random)).toStrictEqual(before);
      expect(h.changed).toEqual([]);
      if (action === 'confirm') {
        for (const { ticket } of h.stores.qr.attempts) expect(await h.real.qr.peekTicket(ticket?.hash ?? '')).toBeNull();
      }
    },
  );

  it('the bound is exact: one lost race fewer than the service tries, and it still succeeds', async () => {
    const tries = await attemptsBeforeGivingUp();
    const qr = await newQr();
    h.stores.qr.attempts.length = 0;
    h.stores.qr.loseNext(tries - 1);
    await expect(h.service.scan(qr.random, alice, '203.0.113.9')).resolves.toMatchObject({ status: QR_STATUS.SCANNED });
    expect(h.stores.qr.attempts).toHaveLength(tries);
    expect(h.changed.map((c) => c.event.session.random)).toEqual([qr.random]);
  });

  it('a confirm that loses races writes one ticket, the winning attempt’s, and announces it once', async () => {
    const qr = await scanned();
    h.stores.qr.loseNext(2);
    await h.service.confirm(qr.random, alice);
    const tickets = h.stores.qr.attempts.map((attempt) => attempt.ticket);
    expect(tickets).toHaveLength(3);
    expect(new Set(tickets.map((ticket) => ticket?.hash)).size).toBe(3);
    expect(await h.real.qr.peekTicket(tickets[0]?.hash ?? '')).toBeNull();
    expect(await h.real.qr.peekTicket(tickets[1]?.hash ?? '')).toBeNull();
    expect(await h.real.qr.peekTicket(tickets[2]?.hash ?? '')).toMatchObject({ random: qr.random, userId: alice.id });
    expect(h.changed.map((c) => [c.event.action, c.event.session.status, c.writtenBefore])).toEqual([
      ['confirm', QR_STATUS.CONFIRMED, [2]],
    ]);
  });

  it('a rival cancel between the read and the write: the confirm reads again and is refused; the cancel stands', async () => {
    const qr = await scanned();
    h.stores.qr.loseNext(1, async () => {
      await h.rival.cancel(qr.random, alice);
    });
    const error = await refusal(h.service.confirm(qr.random, alice));
    expect(error).toMatchObject({ key: 'QR_INVALID_STATE', detail: 'already cancelled' });
    expect(await stored(qr.random)).toMatchObject({ status: QR_STATUS.CANCELLED, version: 2, ticket: null });
    expect(h.changed).toEqual([]);
  });
});

describe('number matching under races', () => {
  it('a wrong pick that loses a race decides again from the fresh read: cancelled once, one failure counted', async () => {
    const qr = await scanned(h.matching);
    const wrong = qr.match?.choices.find((choice) => choice !== qr.match?.code) ?? '';
    h.stores.qr.loseNext(1);
    const error = await refusal(h.service.confirm(qr.random, alice, wrong));
    expect(error).toMatchObject({ key: 'QR_INVALID_STATE', detail: 'wrong number; the QR code is cancelled' });
    expect(await stored(qr.random)).toMatchObject({ status: QR_STATUS.CANCELLED, version: 2, match: { failures: 1 } });
    expect(h.changed.map((c) => [c.event.action, c.writtenBefore])).toEqual([['cancel', [2]]]);
  });

  it('a wrong pick that loses to the right pick of another request leaves the QR confirmed and counts nothing', async () => {
    const qr = await scanned(h.matching);
    const code = qr.match?.code ?? '';
    const wrong = qr.match?.choices.find((choice) => choice !== code) ?? '';
    h.stores.qr.loseNext(1, async () => {
      await h.rival.confirm(qr.random, alice, code);
    });
    const error = await refusal(h.service.confirm(qr.random, alice, wrong));
    expect(error).toMatchObject({ key: 'QR_INVALID_STATE', detail: 'already confirmed' });
    const after = await stored(qr.random);
    expect(after).toMatchObject({ status: QR_STATUS.CONFIRMED, version: 2, match: { failures: 0 } });
    expect(after?.ticket).toEqual(expect.any(String));
    expect(h.changed).toEqual([]);
  });

  it('the right pick that loses to a wrong pick of another request is refused: the QR stays cancelled, no ticket', async () => {
    const qr = await scanned(h.matching);
    const code = qr.match?.code ?? '';
    const wrong = qr.match?.choices.find((choice) => choice !== code) ?? '';
    h.stores.qr.loseNext(1, async () => {
      await refusal(h.rival.confirm(qr.random, alice, wrong));
    });
    const error = await refusal(h.service.confirm(qr.random, alice, code));
    expect(error).toMatchObject({ key: 'QR_INVALID_STATE', detail: 'already cancelled' });
    expect(await stored(qr.random)).toMatchObject({ status: QR_STATUS.CANCELLED, version: 2, ticket: null, match: { failures: 1 } });
    const [lost] = h.stores.qr.attempts;
    expect(await h.real.qr.peekTicket(lost?.ticket?.hash ?? '')).toBeNull();
    expect(h.changed).toEqual([]);
  });
});

/** Whether `user` holds a place for `random` (reserving it if not, as a scan would). */
const holds = async (user: UserRecord, random: string) =>
  (await h.real.scans.reserve(user.id, random, h.clock.now() + 60_000, MAX_PENDING_SCANS)) === 'held';

describe('number matching decisions', () => {
  it('a wrong pick cancels the QR and frees the user’s pending-scan place before it is refused', async () => {
    const qr = await scanned(h.matching);
    const wrong = qr.match?.choices.find((choice) => choice !== qr.match?.code) ?? '';
    expect((await refusal(h.service.confirm(qr.random, alice, wrong))).detail).toBe('wrong number; the QR code is cancelled');
    expect(await holds(alice, qr.random)).toBe(false);
  });

  it('a wrong pick on a QR the user has not scanned is that state’s refusal and changes nothing', async () => {
    const qr = await newQr(h.matching);
    const wrong = qr.match?.choices.find((choice) => choice !== qr.match?.code) ?? '';
    const error = await refusal(h.service.confirm(qr.random, alice, wrong));
    expect(error.key).toBe('QR_INVALID_STATE');
    expect(error.detail).not.toMatch(/wrong number/);
    expect(await stored(qr.random)).toMatchObject({ status: QR_STATUS.PENDING, version: 0, match: { failures: 0 } });
    expect(h.changed.filter((c) => c.event.action === 'cancel')).toEqual([]);
  });
});

describe('the place a scan reserves among the user’s pending scans', () => {
  it('is given back when the scan never wins its write', async () => {
    const qr = await newQr();
    h.stores.qr.loseNext(Infinity);
    expect((await refusal(h.service.scan(qr.random, alice, '203.0.113.9'))).key).toBe('INTERNAL');
    expect(await holds(alice, qr.random)).toBe(false);
  });

  it('is given back when the scan is refused (the QR was scanned by someone else)', async () => {
    const qr = await scanned();
    const bob = await h.user('Bob');
    expect((await refusal(h.service.scan(qr.random, bob, '203.0.113.9'))).key).toBe('QR_INVALID_STATE');
    expect(await holds(bob, qr.random)).toBe(false);
    expect(await holds(alice, qr.random)).toBe(true);
  });

  it('a failed scan gives back only a place it took itself: one held from an earlier scan stays', async () => {
    const qr = await scanned();
    // Another request cancels behind the service's back, without freeing the place.
    const current = await stored(qr.random);
    if (!current) throw new Error('missing');
    await h.real.qr.compareAndSet({ ...current, status: QR_STATUS.CANCELLED, version: current.version + 1 }, current.version);
    expect((await refusal(h.service.scan(qr.random, alice, '203.0.113.9'))).key).toBe('QR_INVALID_STATE');
    expect(await holds(alice, qr.random)).toBe(true);
  });

  it('a successful scan after lost races keeps its one place, and the cap still counts it', async () => {
    for (let i = 0; i < MAX_PENDING_SCANS; i += 1) {
      const qr = await newQr();
      h.stores.qr.loseNext(2);
      await h.service.scan(qr.random, alice, '203.0.113.9');
    }
    const extra = await newQr();
    const error = await refusal(h.service.scan(extra.random, alice, '203.0.113.9'));
    expect(error.key).toBe('RATE_LIMITED');
    expect(await stored(extra.random)).toMatchObject({ status: QR_STATUS.PENDING, version: 0 });
  });
});
