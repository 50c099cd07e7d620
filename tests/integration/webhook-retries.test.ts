/**
 * Webhook delivery at least once, through a real server and real receivers on 127.0.0.1 (a
 * short schedule: 3 attempts 100 ms apart, 400 ms each): a receiver that fails twice gets the
 * same `webhook-id` three times, each attempt freshly signed; one that never answers in time
 * is tried three times and given up with a `warn` line; a redirect is a failure, never
 * followed; `close()` aborts an attempt in flight and stops every timer.
 */
import { HEADERS } from '../../shared/http';
import { api } from '../helpers/api';
import { gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer, withApps } from '../helpers/server';
import { sleep } from '../helpers/time';
import { QUICK_DELIVERY, hookApp } from '../helpers/webhook-flow';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secret = newWebhookSecret();
const receivers: Receiver[] = [];
const servers: TestServer[] = [];

/** A server whose app `id` sends only qr.scanned to `receiver`. */
async function serverFor(receiver: Receiver): Promise<TestServer> {
  const server = await startServer({
    configure: withApps(hookApp('scans', receiver.url, secret, { webhookEvents: ['qr.scanned'] })),
    deps: { webhookDelivery: QUICK_DELIVERY },
  });
  servers.push(server);
  return server;
}

async function receiver(answer: (index: number) => number | 'hang'): Promise<Receiver> {
  const started = await startReceiver({ secret, answer });
  receivers.push(started);
  return started;
}

/** A QR of the app, scanned: one qr.scanned queued. */
async function scanOne(server: TestServer): Promise<string> {
  const http = api(server.url);
  const phone = await registerUser(http);
  const qr = await gene(http, { [HEADERS.appId]: 'scans' });
  await scan(http, phone.token, qr.random);
  return qr.random;
}

const logged = (server: TestServer, message: string) =>
  server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === message);

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(receivers.splice(0).map((each) => each.close()));
});

test('a receiver answering 500 twice, then 200, gets the same webhook-id three times, each attempt signed and verified', async () => {
  const flaky = await receiver((index) => (index < 2 ? 500 : 200));
  const server = await serverFor(flaky);
  const random = await scanOne(server);
  const attempts = await flaky.waitFor(3);
  expect(attempts.map((hook) => hook.answer)).toEqual([500, 500, 200]);
  expect(attempts.every((hook) => hook.verified)).toBe(true);
  expect(new Set(attempts.map((hook) => hook.headers['webhook-id'])).size).toBe(1);
  expect(new Set(attempts.map((hook) => hook.raw)).size).toBe(1);
  expect(attempts[0]?.event).toMatchObject({ type: 'qr.scanned', data: { random } });
  const id = attempts[0]?.headers['webhook-id'];
  const deadline = Date.now() + 5_000;
  while (logged(server, 'webhook delivered').length === 0 && Date.now() < deadline) await sleep(20);
  expect(logged(server, 'webhook attempt failed, will retry')).toEqual([
    expect.objectContaining({ level: 'warn', webhookId: id, attempt: 1, problem: 'answered 500' }),
    expect.objectContaining({ level: 'warn', webhookId: id, attempt: 2, problem: 'answered 500' }),
  ]);
  await sleep(300);
  expect(logged(server, 'webhook delivered')).toEqual([expect.objectContaining({ webhookId: id, attempt: 3, status: 200 })]);
  expect(flaky.received).toHaveLength(3);
  // The same attempts, counted where monitoring reads them.
  const scraped = await (await fetch(`${server.url}/metrics`)).text();
  expect(scraped).toMatch(/^qrlogin_webhook_deliveries_total\{outcome="failed"\} 2$/m);
  expect(scraped).toMatch(/^qrlogin_webhook_deliveries_total\{outcome="delivered"\} 1$/m);
});

test('a receiver that never answers in time is tried three times, then given up with a warn line', async () => {
  const silent = await receiver(() => 'hang');
  const server = await serverFor(silent);
  await scanOne(server);
  const attempts = await silent.waitFor(3, 5_000);
  expect(new Set(attempts.map((hook) => hook.headers['webhook-id'])).size).toBe(1);
  const deadline = Date.now() + 3_000;
  while (logged(server, 'webhook given up').length === 0 && Date.now() < deadline) await sleep(20);
  expect(logged(server, 'webhook given up')).toEqual([
    expect.objectContaining({
      level: 'warn',
      appId: 'scans',
      type: 'qr.scanned',
      webhookId: attempts[0]?.headers['webhook-id'],
      attempt: 3,
      problem: 'timed out after 400 ms',
    }),
  ]);
  await sleep(400);
  expect(silent.received).toHaveLength(3);
});

test('a redirect is a failed attempt: never followed', async () => {
  const moved = await receiver((index) => (index === 0 ? 307 : 200));
  const server = await serverFor(moved);
  await scanOne(server);
  const attempts = await moved.waitFor(2);
  expect(attempts.map((hook) => [hook.path, hook.answer])).toEqual([
    ['/hooks', 307],
    ['/hooks', 200],
  ]);
  expect(logged(server, 'webhook attempt failed, will retry')).toEqual([
    expect.objectContaining({ attempt: 1, problem: 'answered 307 (redirects are not followed)' }),
  ]);
});

test('close() aborts an attempt in flight, says the in-process queue dropped it, and nothing is sent afterwards', async () => {
  const silent = await receiver(() => 'hang');
  const server = await serverFor(silent);
  await scanOne(server);
  await silent.waitFor(1);
  await server.close();
  expect(logged(server, 'webhook deliveries dropped at shutdown (the queue is kept in this process without Redis)')).toEqual([
    expect.objectContaining({ level: 'warn', pending: 1 }),
  ]);
  // Cut by the shutdown, not timed out: no failure is counted, no retry is due.
  expect(logged(server, 'webhook attempt failed, will retry')).toEqual([]);
  await sleep(500);
  expect(silent.received).toHaveLength(1);
});
