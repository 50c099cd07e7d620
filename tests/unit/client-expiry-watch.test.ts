/**
 * The web widget's expiry watch on a hand-driven clock: the deadline comes from the server's
 * numbers (never the local clock's reading), `check` has the last word, a few re-checks when
 * the server disagrees, and the classification of a failed `check`.
 */
import { QR_STATUS, type CheckData } from '../../shared';
import { QrLoginError } from '../../client/common/http';
import type { Clock } from '../../client/web/clock';
import { EXPIRY_MARGIN_MS, EXPIRY_RECHECKS, ExpiryWatch, RECHECK_DELAY_MS, lifetimeMs } from '../../client/web/expiry-watch';

const R = 'randomRANDOMrandom_1234';

/** Lets pending promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock whose time moves only when the test says so. */
function manualClock(start: number) {
  let now = start;
  let lastId = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const clock: Clock & { advance(ms: number): Promise<void>; pending(): number } = {
    now: () => now,
    setTimeout: (run, ms) => {
      timers.set(++lastId, { at: now + ms, run });
      return lastId;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    pending: () => timers.size,
    /** Moves time on by `ms`, running each timer as it falls due (and what it awaits). */
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await flush();
        const [id, due] = [...timers].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0] ?? [];
        if (id === undefined || !due) break;
        timers.delete(id);
        now = due.at;
        due.run();
      }
      now = end;
      await flush();
    },
  };
  return clock;
}

function checkData(status: number, version: number): CheckData {
  return { random: R, status: status as CheckData['status'], ticket: null, userInfo: {}, scannedUserId: null, expireAt: '', version };
}

/** A watch whose owner behaves like the scan cycle: it stops the watch once the QR is done. */
function setup(answer: () => Promise<CheckData>, start = 1_000_000) {
  const clock = manualClock(start);
  const events: string[] = [];
  const deadlines: (number | null)[] = [];
  let checks = 0;
  const watch: ExpiryWatch = new ExpiryWatch(
    () => {
      checks += 1;
      return answer();
    },
    {
      onDeadline: (deadline) => deadlines.push(deadline),
      onCheck: (data) => {
        events.push(`check:${data.status}`);
        if (data.status !== QR_STATUS.PENDING && data.status !== QR_STATUS.SCANNED) watch.stop();
      },
      onExpired: () => {
        events.push('expired');
        watch.stop();
      },
      onFailed: (error) => {
        events.push(`failed:${(error as Error).message}`);
        watch.stop();
      },
    },
    clock,
  );
  return { clock, watch, events, deadlines, checks: () => checks };
}

const GENE = { expiresIn: 60, createdAt: '2030-01-01T00:00:00.000Z', expireAt: '2030-01-01T00:01:00.000Z' };

test('the lifetime comes from expiresIn, else from expireAt − createdAt, else two minutes', () => {
  expect(lifetimeMs(GENE)).toBe(60_000);
  expect(lifetimeMs({ ...GENE, expiresIn: Number.NaN })).toBe(60_000);
  expect(lifetimeMs({ expiresIn: 0, createdAt: 'nope', expireAt: 'nope' })).toBe(120_000);
});

test('nothing is asked before the deadline plus the margin; then check has the last word', async () => {
  const { clock, watch, events, deadlines, checks } = setup(() => Promise.resolve(checkData(QR_STATUS.EXPIRED, 3)));
  watch.start(GENE);
  expect(deadlines).toEqual([1_000_000 + 60_000]);
  await clock.advance(60_000 + EXPIRY_MARGIN_MS - 1);
  expect(checks()).toBe(0);
  await clock.advance(1);
  expect(checks()).toBe(1);
  expect(events).toEqual([`check:${QR_STATUS.EXPIRED}`]);
  expect(clock.pending()).toBe(0);
});

test('a snapshot sets the deadline from expireAt − serverNow, whatever the local clock reads', async () => {
  // The local clock is years behind the server's; only the difference of the server's numbers counts.
  const { clock, watch, events, deadlines } = setup(() => Promise.resolve(checkData(QR_STATUS.EXPIRED, 2)), 5_000);
  watch.start(GENE);
  watch.sync({ serverNow: '2030-01-01T00:00:50.000Z', expireAt: '2030-01-01T00:01:00.000Z' });
  expect(deadlines).toEqual([5_000 + 60_000, 5_000 + 10_000]);
  await clock.advance(10_000 + EXPIRY_MARGIN_MS);
  expect(events).toEqual([`check:${QR_STATUS.EXPIRED}`]);
});

test('a deadline moved later by a snapshot is waited for, without asking at the old one', async () => {
  const { clock, watch, checks } = setup(() => Promise.resolve(checkData(QR_STATUS.EXPIRED, 2)));
  watch.start({ ...GENE, expiresIn: 10 });
  await clock.advance(5_000);
  watch.sync({ serverNow: '2030-01-01T00:00:00.000Z', expireAt: '2030-01-01T00:00:30.000Z' });
  await clock.advance(25_000);
  expect(checks()).toBe(0);
  await clock.advance(5_000 + EXPIRY_MARGIN_MS);
  expect(checks()).toBe(1);
});

test('when check still says open, it is asked again a few times, then the QR is shown expired', async () => {
  const { clock, watch, events, checks } = setup(() => Promise.resolve(checkData(QR_STATUS.PENDING, 0)));
  watch.start(GENE);
  await clock.advance(60_000 + EXPIRY_MARGIN_MS + EXPIRY_RECHECKS * RECHECK_DELAY_MS);
  expect(checks()).toBe(1 + EXPIRY_RECHECKS);
  expect(events.at(-1)).toBe('expired');
  expect(events.filter((event) => event === 'expired')).toHaveLength(1);
});

test.each([
  ['a network failure (code 0)', 'expired', 0],
  ['a 503', 'expired', 503],
  ['2241 "QR code does not exist"', 'expired', 2241],
  ['a 403', 'failed:refused', 403],
])('a check that fails with %s ends in %s', async (_name, outcome, code) => {
  const { clock, watch, events } = setup(() => Promise.reject(new QrLoginError(code, 'refused')));
  watch.start(GENE);
  await clock.advance(60_000 + EXPIRY_MARGIN_MS);
  expect(events).toEqual([outcome]);
});

test('"gone" from the server is confirmed at once; a stopped watch reports nothing', async () => {
  let release: (data: CheckData) => void = () => undefined;
  const { clock, watch, events, checks } = setup(() => new Promise<CheckData>((resolve) => (release = resolve)));
  watch.start(GENE);
  watch.confirmNow();
  expect(checks()).toBe(1);
  watch.stop();
  release(checkData(QR_STATUS.EXPIRED, 1));
  await clock.advance(120_000);
  expect(events).toEqual([]);
  expect(clock.pending()).toBe(0);
});
