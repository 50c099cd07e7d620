/**
 * The short soak with faults (issue 18), on one Redis and on a Redis Cluster: 600 waiting
 * browsers over three instances of the built server behind nginx, ~22 s of logins at 15/s, one
 * instance SIGKILLed and restarted, then the Redis fault: one Redis SIGKILLed and restarted, or
 * the master of a waiting QR's shard SIGKILLed (its replica promoted) and restarted. No
 * confirmed login may be lost; every waiting browser must be connected and subscribed at the
 * end. Needs `npm run build` (dist/server/index.js), nginx and redis-server. The long variant
 * is `npm run soak`.
 */
import { SHORT_SOAK, runSoak } from './harness';
import { formatTable } from './report';
import type { SoakReport } from './report';
import { soakProblems } from './verdict';

describe.each(['standalone', 'cluster'] as const)('short soak on %s Redis', (redis) => {
  const lines: string[] = [];
  let report: SoakReport;

  beforeAll(async () => {
    report = await runSoak({ ...SHORT_SOAK, redis, log: (line) => lines.push(line) });
    // The report goes to the output on every run: the numbers are the point of a soak.
    process.stdout.write(`\nshort soak (${redis} Redis)\n${lines.join('\n')}\n${formatTable(report)}\n`);
  }, 240_000);

  test('no confirmed login is lost through an instance kill and a Redis fault', () => {
    expect(report.logins.confirmed).toBeGreaterThan(200);
    expect(report.lostLogins).toEqual([]);
    expect(report.logins.lost).toBe(0);
    expect(report.logins.delivered).toBe(report.logins.confirmed);
    expect(report.logins.redeemed).toBe(report.logins.confirmed);
    expect(report.logins.abandonedCauses).toEqual({});
  });

  test('the reconnect storm is absorbed: nothing refused or timed out, every moved browser subscribed again', () => {
    expect(report.storm.moved).toBeGreaterThan(100);
    expect(report.refused).toEqual({});
    expect(report.storm).toMatchObject({ stranded: 0, refused: 0, ackTimeouts: 0, connectTimeouts: 0 });
    expect(report.storm.allResubscribedMs).not.toBeNull();
  });

  test('every waiting browser is connected and subscribed at the end, and still gets pushes', () => {
    const { final } = report;
    expect(final).toMatchObject({ connected: final.waiting, subscribed: final.waiting, roundTrip: { ok: final.waiting, failed: {} } });
    expect(final.sentinel.failures).toEqual([]);
    expect(final.sentinel.pushed).toBe(final.sentinel.sampled);
  });

  test('the Redis fault shows as 503s while it lasts, and only then', () => {
    expect(report.redisFault.unavailable.elsewhere).toBe(0);
    expect(soakProblems(report)).toEqual([]);
  });
});
