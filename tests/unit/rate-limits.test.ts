/**
 * RATE_LIMITS parsing and the in-memory fixed-window counters, with an injected clock.
 */
import { AppError } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { createRateLimiter, ipSubject } from '../../server/ratelimit/limiter';
import { createMemoryCounters } from '../../server/backend/memory/counters';
import { DEFAULT_RATE_LIMITS, RATE_RULES, parseRateLimits } from '../../server/ratelimit/limits';

test('RATE_LIMITS overrides rules, turns them or all off, and reports bad entries', () => {
  const problems: string[] = [];
  expect(parseRateLimits(undefined, problems)).toBe(DEFAULT_RATE_LIMITS);
  const limits = parseRateLimits('check=600/60, login=off', problems);
  expect(limits.check).toEqual({ limit: 600, windowSeconds: 60 });
  expect(limits.login).toBeNull();
  expect(limits.gene).toEqual(DEFAULT_RATE_LIMITS.gene);
  expect(Object.values(parseRateLimits('off', problems)).every((limit) => limit === null)).toBe(true);
  expect(problems).toEqual([]);
  parseRateLimits('nope=1/1,check=0/60,gene=10,login=5/300', problems);
  expect(problems).toHaveLength(3);
  expect(problems[0]).toMatch(/"nope=1\/1" must be rule=LIMIT\/SECONDS/);
  expect(problems[0]).toContain(RATE_RULES.join(', '));
});

test('a fixed window allows `limit` hits, refuses with Retry-After until it ends, then starts again', async () => {
  let now = 1_000_000;
  const limiter = createRateLimiter(
    { ...DEFAULT_RATE_LIMITS, check: { limit: 3, windowSeconds: 10 } },
    createMemoryCounters(() => now),
    createLogger('silent'),
  );
  for (let i = 0; i < 3; i += 1) await expect(limiter.take('check', '10.0.0.1')).resolves.toBeUndefined();
  now += 4_000;
  const refused = await limiter.take('check', '10.0.0.1').then(
    () => null,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(AppError);
  expect(refused).toMatchObject({ code: 429, retryAfter: 6 });
  // Another subject has its own window.
  await expect(limiter.take('check', '10.0.0.2')).resolves.toBeUndefined();
  now += 6_000;
  await expect(limiter.take('check', '10.0.0.1')).resolves.toBeUndefined();
});

test('memory counters stay bounded, and a flood of new subjects never resets a live window', async () => {
  const counters = createMemoryCounters(() => 0, 100);
  for (let i = 0; i < 1000; i += 1) await counters.hit('check', `k${i}`, 60_000);
  expect(counters.size('check')).toBe(100);
  // The first 100 windows are kept and keep counting.
  expect(await counters.hit('check', 'k0', 60_000)).toMatchObject({ count: 2 });
  counters.close();
});
test('IP subjects: IPv4 as is (also when IPv4-mapped), IPv6 by its /64', async () => {
  expect(ipSubject('203.0.113.9')).toBe('203.0.113.9');
  expect(ipSubject('::ffff:203.0.113.9')).toBe('203.0.113.9');
  expect(ipSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(ipSubject('2001:0db8:0001:0002:ffff:0:0:7')).toBe('2001:db8:1:2::/64');
  expect(ipSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(ipSubject('::1')).toBe('0:0:0:0::/64');
  // Rotating addresses inside one /64 shares one window.
  const limiter = createRateLimiter(
    { ...DEFAULT_RATE_LIMITS, login: { limit: 2, windowSeconds: 60 } },
    createMemoryCounters(() => 0),
    createLogger('silent'),
  );
  await limiter.take('login', '2001:db8:1:2::1');
  await limiter.take('login', '2001:db8:1:2::2');
  await expect(limiter.take('login', '2001:db8:1:2::3')).rejects.toMatchObject({ code: 429 });
  await expect(limiter.take('login', '2001:db8:1:3::1')).resolves.toBeUndefined();
});

test('a failing counter store answers 503 (the store behind it is down too), never lets requests through uncounted', async () => {
  const lines: string[] = [];
  const limiter = createRateLimiter(
    DEFAULT_RATE_LIMITS,
    { hit: () => Promise.reject(new Error('down')) },
    createLogger('debug', (line) => lines.push(line)),
  );
  await expect(limiter.take('gene', '10.0.0.1')).rejects.toMatchObject({ code: 503, retryAfter: 1 });
  expect(lines.join('\n')).toMatch(/rate limit counter unavailable/);
  expect(lines.join('\n')).not.toContain('10.0.0.1');
});
