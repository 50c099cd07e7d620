/**
 * Finding 4 of the security review: the in-memory rate-limit table (the embedded default) must
 * never fail open. When it was full of live windows a new subject was counted "without keeping
 * it", so its count was always 1 (200 of 200 logins from a new address got through), and every
 * new subject swept the whole table. Unit tests of the counters and the limiter, on an
 * injected clock.
 */
import { AppError } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { createRateLimiter } from '../../server/ratelimit/limiter';
import { DEFAULT_RATE_LIMITS } from '../../server/ratelimit/limits';
import { createMemoryCounters } from '../../server/backend/memory/counters';

let now = 1_000_000;
const clock = () => now;
const counters = createMemoryCounters(clock, 100);
afterAll(() => counters.close());

/** Fills `rule`'s table with 100 live windows of a flood. */
async function flood(rule: string, windowMs: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) await counters.hit(rule, `flood-${rule}-${i}`, windowMs);
}

test('a full table refuses a new subject instead of counting it as 1', async () => {
  await flood('login', 300_000);
  const lines: string[] = [];
  const limiter = createRateLimiter(
    { ...DEFAULT_RATE_LIMITS, login: { limit: 30, windowSeconds: 300 } },
    counters,
    createLogger('warn', (line) => lines.push(line)),
    clock,
  );
  let allowed = 0;
  for (let i = 0; i < 200; i += 1) {
    const refused = await limiter.take('login', '198.51.100.77').then(
      () => false,
      (error: unknown) => error instanceof AppError && error.code === 429,
    );
    if (!refused) allowed += 1;
  }
  expect(allowed).toBe(0);
  // Reported once, not once a request.
  expect(lines.filter((line) => /rate limit table full/.test(line))).toHaveLength(1);
  expect(lines.join('\n')).not.toContain('198.51.100.77');
  // The Retry-After is when the oldest window ends.
  await expect(limiter.take('login', '198.51.100.78')).rejects.toMatchObject({ code: 429, retryAfter: 300 });
});

test('subjects already in a full table keep counting, and their windows are never reset by the flood', async () => {
  await flood('check', 60_000);
  expect(await counters.hit('check', 'flood-check-0', 60_000)).toEqual({ count: 2, resetMs: 60_000 });
  expect(counters.size('check')).toBe(100);
});

test('one flooded rule does not fill another', async () => {
  await flood('userinfo', 60_000);
  expect((await counters.hit('gene', 'someone', 60_000)).full).toBeUndefined();
});

test('ended windows are dropped: new subjects get room as old windows end, and the sweep empties ended tables', async () => {
  await flood('register', 10_000);
  expect((await counters.hit('register', 'late', 10_000)).full).toBe(true);
  now += 10_000;
  // The head of the table (in expiry order) has ended: a new subject takes its place.
  expect(await counters.hit('register', 'late', 10_000)).toEqual({ count: 1, resetMs: 10_000 });
  now += 10_000;
  counters.sweep();
  expect(counters.size('register')).toBe(0);
});

test('a new subject in a table of live windows is refused and drops none of them', async () => {
  await flood('phone', 60_000);
  now += 30_000;
  // Half the flood is counted again 30 s on; none of the windows has ended yet.
  for (let i = 0; i < 50; i += 1) await counters.hit('phone', `flood-phone-${i}`, 60_000);
  expect((await counters.hit('phone', 'new', 60_000)).full).toBe(true);
  expect(counters.size('phone')).toBe(100);
});

test('after the clock steps back, a full table of ended windows behind a live head is swept before anyone is refused', async () => {
  const stepped = createMemoryCounters(clock, 10);
  try {
    await stepped.hit('gene', 'live-head', 60_000);
    now -= 30_000; // an NTP step back: the next windows end before the head does
    for (let i = 0; i < 9; i += 1) await stepped.hit('gene', `behind-${i}`, 10_000);
    now += 20_000; // the nine have ended; the head has not
    expect(await stepped.hit('gene', 'newcomer', 60_000)).toMatchObject({ count: 1 });
    expect(stepped.size('gene')).toBe(2);
  } finally {
    stepped.close();
  }
});
