/**
 * Rate-limit refusals, as operators see them (issue 16): `qrlogin_rate_limited_total{rule}`
 * counts each one, and a `warn` line `{event: "rate_limited", rule}` is written at most once
 * per rule per 10 s with the count since the rule's previous line (never the subject: an
 * address, a user or a ticket). The server's clock is a movable one, so the 10 s pass without
 * waiting.
 */
import { API, type CheckData } from '../../shared/http';
import { METRIC } from '../../server/metrics/names';
import { REFUSAL_LINE_EVERY_MS } from '../../server/ratelimit/limiter';
import { api, dataOf } from '../helpers/api';
import { confirm, gene, registerUser, scan } from '../helpers/flow';
import { scrape } from '../helpers/prometheus';
import { type TestServer, startServer } from '../helpers/server';
import { movableClock } from '../helpers/time';

const clock = movableClock();
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMITS: 'gene=2/60,ticket=1/60' }, deps: { now: clock.now } });
});
afterAll(() => server.close());

type Line = Record<string, unknown>;
const refusalLines = (rule: string): Line[] =>
  server.logs.map((line) => JSON.parse(line) as Line).filter((line) => line.event === 'rate_limited' && line.rule === rule);

test('a flood of refusals: every one counted, one warn line per rule per 10 s carrying the count', async () => {
  const http = api(server.url);
  for (let i = 0; i < 2; i += 1) expect((await http.post(API.gene, {})).status).toBe(200);
  expect((await http.post(API.gene, {})).status).toBe(429);
  expect(refusalLines('gene')).toEqual([expect.objectContaining({ level: 'warn', event: 'rate_limited', rule: 'gene', count: 1 })]);
  // The rule and the count only: no address (rate-limit-table.test.ts keeps subjects out of the log).
  expect(JSON.stringify(refusalLines('gene'))).not.toContain('127.0.0.1');

  for (let i = 0; i < 5; i += 1) expect((await http.post(API.gene, {})).status).toBe(429);
  expect(refusalLines('gene')).toHaveLength(1);
  expect((await scrape(server.url)).value(METRIC.rateLimited, { rule: 'gene' })).toBe(6);

  clock.advance(REFUSAL_LINE_EVERY_MS - 1);
  expect((await http.post(API.gene, {})).status).toBe(429);
  expect(refusalLines('gene')).toHaveLength(1);
  clock.advance(1);
  expect((await http.post(API.gene, {})).status).toBe(429);
  // The five silent ones, the one a millisecond early, and this one.
  expect(refusalLines('gene')).toEqual([expect.objectContaining({ count: 1 }), expect.objectContaining({ count: 7 })]);

  const after = await scrape(server.url);
  expect(after.value(METRIC.rateLimited, { rule: 'gene' })).toBe(8);
  expect(after.value(METRIC.rateLimited, { rule: 'check' })).toBe(0);
});

test('a refusal of the per-ticket rule names the rule, never the ticket nor an address', async () => {
  const http = api(server.url);
  clock.advance(60_000); // a fresh gene window
  const phone = await registerUser(http);
  const qr = await gene(http);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  if (!ticket) throw new Error('no ticket');
  // Without the browser secret: refused and counted against the ticket; the second is over the limit.
  expect((await http.post(API.userinfo, { ticket })).body.code).toBe(2245);
  expect((await http.post(API.userinfo, { ticket })).status).toBe(429);

  const lines = refusalLines('ticket');
  expect(lines).toEqual([expect.objectContaining({ level: 'warn', event: 'rate_limited', rule: 'ticket', count: 1 })]);
  expect(lines[0]).not.toHaveProperty('ip');
  expect(lines[0]).not.toHaveProperty('subject');
  expect(server.logs.join('\n')).not.toContain(ticket);
  expect((await scrape(server.url)).value(METRIC.rateLimited, { rule: 'ticket' })).toBe(1);
});
