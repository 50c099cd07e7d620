/**
 * `GET /metrics` counting what really happened on a real server: a full login, a cancel and
 * an expiry (issue 16), the socket gauge with real socket.io-client sockets, the backend's
 * ping, and two servers in one process that never count into each other.
 */
import { API, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { METRIC } from '../../server/metrics/names';
import { api, dataOf } from '../helpers/api';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { scrape } from '../helpers/prometheus';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect, waitFor, waitUntil } from '../helpers/sockets';
import { sleep } from '../helpers/time';

afterEach(() => closeAllSockets());

/** Real timers decide expiry; the clock only dates one QR so that it expires a second after it is made. */
const shift = { ms: 0 };
const now = () => Date.now() + shift.ms;

/** A whole login: gene → subscribed socket → scanned → confirm → pushed ticket → userinfo. */
async function login(server: TestServer): Promise<void> {
  const http = api(server.url);
  const phone = await registerUser(http);
  const qr = await gene(http);
  const browser = await connect(server.url);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = await confirmed;
  dataOf(await http.post<UserInfoData>(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret }));
  browser.disconnect();
}

describe('one server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ deps: { now } });
  });
  afterAll(() => server.close());

  test('a login, a cancel and an expiry move exactly their counters, and the push and HTTP histograms', async () => {
    const before = await scrape(server.url);
    expect(before.status).toBe(200);
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // Every series a dashboard plots exists from the start, at 0.
    expect(before.value(METRIC.logins, { app: 'demo' })).toBe(0);
    expect(before.value(METRIC.qrCreated, { app: 'demo' })).toBe(0);
    for (const outcome of ['confirmed', 'cancelled', 'expired']) expect(before.value(METRIC.qrOutcomes, { outcome })).toBe(0);
    expect(before.value(`${METRIC.pushLatency}_count`)).toBe(0);
    expect(before.value(METRIC.rateLimited, { rule: 'gene' })).toBe(0);
    expect(before.value(METRIC.webhookDeliveries, { outcome: 'delivered' })).toBe(0);
    // The process's default metrics come along.
    expect(before.value('process_cpu_user_seconds_total')).toEqual(expect.any(Number));
    expect(before.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    await login(server);

    const http = api(server.url);
    const phone = await registerUser(http);
    const cancelled = await gene(http);
    await scan(http, phone.token, cancelled.random);
    dataOf(await http.post(API.cancel, { random: cancelled.random }, bearer(phone.token)));

    shift.ms = -(server.config.qrTtlSeconds * 1000 - 1000);
    const expiring = await gene(http);
    shift.ms = 0;
    const browser = await connect(server.url);
    await browser.emitWithAck(EVENTS.subscribe, { random: expiring.random, secret: expiring.secret });
    await waitFor(browser, EVENTS.expired, 5000);
    // The expiry is counted by the expiry sweep (once a second), as it writes its audit line.
    await waitUntil(() => server.logs.some((line) => line.includes('"audit qr.expired"') && line.includes(expiring.random)), 10_000);

    const after = await scrape(server.url);
    expect(after.value(METRIC.logins, { app: 'demo' })).toBe(1);
    expect(after.value(METRIC.qrCreated, { app: 'demo' })).toBe(3);
    expect(after.value(METRIC.qrOutcomes, { outcome: 'confirmed' })).toBe(1);
    expect(after.value(METRIC.qrOutcomes, { outcome: 'cancelled' })).toBe(1);
    expect(after.value(METRIC.qrOutcomes, { outcome: 'expired' })).toBe(1);
    // Four stored transitions pushed: scanned and confirmed, scanned and cancelled.
    expect(after.value(`${METRIC.pushLatency}_count`)).toBe(4);
    const pushSeconds = after.value(`${METRIC.pushLatency}_sum`) ?? NaN;
    expect(pushSeconds).toBeGreaterThan(0);
    expect(pushSeconds).toBeLessThan(4);
    expect(after.value(`${METRIC.pushLatency}_bucket`, { le: '+Inf' })).toBe(4);
    expect(after.value(`${METRIC.pushLatency}_bucket`, { le: '0.0001' })).toEqual(expect.any(Number));

    // HTTP durations by route pattern and status class, never by raw URL.
    const http2xx = (route: string) => after.value(`${METRIC.httpDuration}_count`, { route, status_class: '2xx' });
    expect(http2xx(API.gene)).toBe(3);
    expect(http2xx(API.scanned)).toBe(2);
    expect(http2xx(API.confirm)).toBe(1);
    expect(http2xx(API.cancel)).toBe(1);
    expect(http2xx(API.userinfo)).toBe(1);
    expect(http2xx('/metrics')).toBe(1);
    const routes = new Set(after.samples.filter((s) => s.name.startsWith(METRIC.httpDuration)).map((s) => s.labels.route));
    for (const route of routes) expect(route).not.toMatch(/\?|random=/);

    expect(after.value(METRIC.backendUp)).toBe(1);
    expect(after.value(METRIC.rateLimited, { rule: 'gene' })).toBe(0);
  });

  test('a route with a parameter is counted under its pattern, an unknown path under "unmatched"', async () => {
    await api(server.url).delete(`${API.sessions}/some-session-id-123`);
    expect((await fetch(`${server.url}/no/such/page`)).status).toBe(404);
    const after = await scrape(server.url);
    const routes = after.samples.filter((s) => s.name === `${METRIC.httpDuration}_count`).map((s) => s.labels.route);
    expect(routes).toContain(`${API.sessions}/:id`);
    expect(after.value(`${METRIC.httpDuration}_count`, { route: 'unmatched', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(after.text).not.toContain('some-session-id-123');
    expect(after.text).not.toContain('/no/such/page');
  });

  test('the socket gauge follows real sockets connecting and leaving', async () => {
    const sockets = async () => (await scrape(server.url)).value(METRIC.sockets);
    const until = async (expected: number) => {
      for (let i = 0; i < 100 && (await sockets()) !== expected; i += 1) await sleep(20);
      return sockets();
    };
    expect(await until(0)).toBe(0);
    const first = await connect(server.url);
    const second = await connect(server.url);
    expect(await sockets()).toBe(2);
    first.disconnect();
    expect(await until(1)).toBe(1);
    second.disconnect();
    expect(await until(0)).toBe(0);
  });
});

test('two servers in one process keep their own counts', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()]);
  try {
    await login(a);
    await gene(api(b.url));
    const [fromA, fromB] = await Promise.all([scrape(a.url), scrape(b.url)]);
    expect(fromA.value(METRIC.logins, { app: 'demo' })).toBe(1);
    expect(fromA.value(METRIC.qrCreated, { app: 'demo' })).toBe(1);
    expect(fromB.value(METRIC.logins, { app: 'demo' })).toBe(0);
    expect(fromB.value(METRIC.qrCreated, { app: 'demo' })).toBe(1);
    expect(fromA.value(`${METRIC.pushLatency}_count`)).toBe(2);
    expect(fromB.value(`${METRIC.pushLatency}_count`)).toBe(0);
    expect(fromB.value(`${METRIC.httpDuration}_count`, { route: API.confirm, status_class: '2xx' })).toBeUndefined();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
