/**
 * `METRICS` and `METRICS_TOKEN` (server/config): on by default, `off` turns counting off, and
 * a token too short to be a secret is refused without its value being named.
 */
import { ConfigError, loadConfig } from '../../server/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('metrics are on by default, with no token', () => {
  const { config } = loadConfig({});
  expect(config.metrics).toBe(true);
  expect(config.metricsToken).toBeNull();
});

test.each([
  ['off', false],
  ['false', false],
  ['on', true],
  ['true', true],
])('METRICS=%s', (value, expected) => {
  expect(loadConfig({ METRICS: value }).config.metrics).toBe(expected);
});

test('METRICS takes only a yes or a no', () => {
  expect(problemsOf({ METRICS: 'sometimes' })).toEqual(['METRICS must be true or false']);
});

test('METRICS_TOKEN is kept as given when at least 16 characters, refused shorter without naming it', () => {
  expect(loadConfig({ METRICS_TOKEN: 'a-long-enough-token-0123' }).config.metricsToken).toBe('a-long-enough-token-0123');
  const problems = problemsOf({ METRICS_TOKEN: 'short-secret' });
  expect(problems).toEqual(['METRICS_TOKEN must be at least 16 characters']);
  expect(problems.join(' ')).not.toContain('short-secret');
});
