/**
 * RATE_LIMITS parsing and the in-memory fixed-window counters, with an injected clock.
 */
import { AppError } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { createMemoryCounters, createRateLimiter } from '../../server/ratelimit/limiter';
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
  const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMITS, check: { limit: 3, windowSeconds: 10 } }, createMemoryCounters(() => now), createLogger('silent'));
  for (let i = 0; i < 3; i += 1) await expect(limiter.take('check', '10.0.0.1')).resolves.toBeUndefined();
  now += 4_000;
  const refused = await limiter.take('check', '10.0.0.1').then(() => null, (error: unknown) => error);
  expect(refused).toBeInstanceOf(AppError);
  expect(refused).toMatchObject({ code: 429, retryAfter: 6 });
  // Another subject has its own window.
  await expect(limiter.take('check', '10.0.0.2')).resolves.toBeUndefined();
  now += 6_000;
  await expect(limiter.take('check', '10.0.0.1')).resolves.toBeUndefined();
});

test('memory counters stay bounded', async () => {
  const counters = createMemoryCounters(() => 0, 100);
  for (let i = 0; i < 1000; i += 1) await counters.hit(`k${i}`, 60_000);
  expect((await counters.hit('k999', 60_000)).count).toBe(2);
  expect((await counters.hit('k0', 60_000)).count).toBe(1);
});

test('a failing counter store lets the request through (it meets the outage itself)', async () => {
  const lines: string[] = [];
  const limiter = createRateLimiter(DEFAULT_RATE_LIMITS, { hit: () => Promise.reject(new Error('down')) }, createLogger('debug', (line) => lines.push(line)));
  await expect(limiter.take('gene', '10.0.0.1')).resolves.toBeUndefined();
  expect(lines.join('\n')).toMatch(/rate limit counter unavailable/);
  expect(lines.join('\n')).not.toContain('10.0.0.1');
});
