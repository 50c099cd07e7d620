/**
 * @module
 * What a soak must show (issue 18), as the list of checks that failed: empty means it passed.
 * The jest test and `npm run soak` judge by the same list.
 */
import type { SoakReport } from './report';
import { total } from './recorder';

export function soakProblems(report: SoakReport): string[] {
  const { logins, storm, final } = report;
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  expect(logins.lost === 0, `${logins.lost} confirmed logins lost`);
  expect(logins.delivered === logins.confirmed, `${logins.confirmed - logins.delivered} confirmed logins not delivered`);
  expect(logins.redeemed === logins.confirmed, `${logins.confirmed - logins.redeemed} confirmed logins not redeemed`);
  expect(logins.confirmed > 0 && logins.abandoned === 0, `${logins.abandoned} of ${logins.started} logins stopped before a confirm`);
  expect(total(report.refused) === 0, `subscriptions refused: ${JSON.stringify(report.refused)}`);
  expect(storm.moved > 0, 'the instance kill moved no browser');
  expect(storm.stranded === 0, `${storm.stranded} moved browsers not subscribed again within the storm bound`);
  expect(
    storm.refused === 0 && storm.ackTimeouts === 0 && storm.connectTimeouts === 0,
    `storm: ${storm.refused} refused, ${storm.ackTimeouts} ack timeouts, ${storm.connectTimeouts} connect timeouts`,
  );
  expect(
    final.connected === final.waiting && final.subscribed === final.waiting,
    `final: ${final.connected} connected, ${final.subscribed} subscribed of ${final.waiting} waiting browsers`,
  );
  expect(final.roundTrip.ok === final.waiting, `final round trip: ${JSON.stringify(final.roundTrip.failed)}`);
  expect(final.sentinel.pushed === final.sentinel.sampled, `sentinel: ${final.sentinel.failures.slice(0, 5).join('; ')}`);
  expect(report.redisFault.unavailable.elsewhere === 0, `${report.redisFault.unavailable.elsewhere} answers 503 away from the Redis fault`);
  return problems;
}
