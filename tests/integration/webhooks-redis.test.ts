/**
 * Webhooks with Redis: two instances on one Redis and key prefix (as behind a load balancer),
 * the queue in Redis. Each event is delivered exactly once by the pair, whichever instance
 * the requests land on; a delivery pending on an instance that closes (its first attempt
 * failed with the receiver down, or its attempt was in flight) is made by the other one,
 * under the same `webhook-id`.
 */
import { HEADERS } from '../../shared/http';
import type { WebhookDeliveryOptions } from '../../server/webhooks';
import { api } from '../helpers/api';
import { REDIS_URL, deleteByPrefix, uniquePrefix } from '../helpers/cluster';
import { gene, registerUser, scan } from '../helpers/flow';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer, withApps } from '../helpers/server';
import { connectRedis } from '../helpers/store-under-test';
import { sleep } from '../helpers/time';
import { QUICK_DELIVERY, fullLogin, hookApp } from '../helpers/webhook-flow';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secret = newWebhookSecret();
const started: { servers: TestServer[]; receivers: Receiver[]; prefixes: string[] } = { servers: [], receivers: [], prefixes: [] };

/** An instance on `prefix` whose app `hooks` sends to `url`. */
async function instance(prefix: string, url: string, delivery: WebhookDeliveryOptions = QUICK_DELIVERY): Promise<TestServer> {
  const server = await startServer({
    env: { ISSUER: 'https://login.webhooks.test' },
    redis: { url: REDIS_URL, prefix },
    configure: withApps(hookApp('hooks', url, secret)),
    deps: { webhookDelivery: delivery },
  });
  started.servers.push(server);
  return server;
}

/** A fresh key prefix, removed after the test. */
function freshPrefix(): string {
  const prefix = uniquePrefix();
  started.prefixes.push(prefix);
  return prefix;
}

/** A QR of `hooks` scanned through `server`: one qr.scanned queued there. */
async function scanOne(server: TestServer): Promise<void> {
  const http = api(server.url);
  const phone = await registerUser(http);
  await scan(http, phone.token, (await gene(http, { [HEADERS.appId]: 'hooks' })).random);
}

async function receiver(options: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const running = await startReceiver(options);
  started.receivers.push(running);
  return running;
}

const delivered = (server: TestServer) =>
  server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'webhook delivered');

/** `server`'s 'webhook delivered' lines once there are `count` (written after the receiver's answer). */
async function deliveredOnce(server: TestServer, count = 1): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5_000;
  while (delivered(server).length < count && Date.now() < deadline) await sleep(20);
  return delivered(server);
}

afterEach(async () => {
  await Promise.all(started.servers.splice(0).map((server) => server.close()));
  await Promise.all(started.receivers.splice(0).map((each) => each.close()));
  const redis = await connectRedis();
  for (const prefix of started.prefixes.splice(0)) await deleteByPrefix(redis, prefix);
  await redis.close();
});

test('each event is delivered exactly once by the pair, wherever the requests land', async () => {
  const hooks = await receiver({ secret });
  const prefix = freshPrefix();
  const [a, b] = [await instance(prefix, hooks.url), await instance(prefix, hooks.url)];
  const randoms: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    // Steps alternate between the instances: the QR and its login on one, or on both.
    const login = await fullLogin(api((i % 2 === 0 ? a : b).url), 'hooks');
    randoms.push(login.qr.random);
  }
  await hooks.waitFor(12);
  const deadline = Date.now() + 5_000;
  while (delivered(a).length + delivered(b).length < 12 && Date.now() < deadline) await sleep(20);
  await sleep(300);
  expect(hooks.received).toHaveLength(12);
  expect(hooks.received.every((hook) => hook.verified)).toBe(true);
  expect(new Set(hooks.received.map((hook) => hook.headers['webhook-id'])).size).toBe(12);
  for (const random of randoms) {
    const types = hooks.received.filter((hook) => hook.event?.data.random === random).map((hook) => hook.event?.type);
    expect([...types].sort()).toEqual(['qr.confirmed', 'qr.scanned', 'ticket.redeemed']);
  }
  // Each delivery was made by one instance.
  expect(delivered(a).length + delivered(b).length).toBe(12);
});

test('a delivery pending on an instance that closes (its receiver was down) is made by the other one, same webhook-id', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hooks`;
  const prefix = freshPrefix();
  // A retry 2 s (± 20 %) after the first failure: the first instance is closed well before it.
  const delivery = { ...QUICK_DELIVERY, retryDelaysMs: [2_000, 100, 100] };
  const a = await instance(prefix, url, delivery);
  await scanOne(a);
  const deadline = Date.now() + 5_000;
  const failed = () => a.logs.find((line) => line.includes('webhook attempt failed, will retry'));
  while (!failed() && Date.now() < deadline) await sleep(20);
  const first = JSON.parse(failed() ?? '{}') as Record<string, unknown>;
  expect(first).toMatchObject({ attempt: 1, problem: 'unreachable (ECONNREFUSED)' });
  await a.close();
  const hooks = await receiver({ secret, port });
  const b = await instance(prefix, url, delivery);
  const [hook] = await hooks.waitFor(1, 5_000);
  expect(hook).toMatchObject({ verified: true, headers: { 'webhook-id': first.webhookId }, event: { type: 'qr.scanned' } });
  expect(await deliveredOnce(b)).toEqual([expect.objectContaining({ webhookId: first.webhookId, attempt: 2 })]);
  expect(hooks.received).toHaveLength(1);
});

test('an attempt in flight when its instance closes is given back, and the other instance makes it at once', async () => {
  // The first request is never answered: the instance closes while it waits.
  const hooks = await receiver({ secret, answer: (index) => (index === 0 ? 'hang' : 200) });
  const prefix = freshPrefix();
  // Deadline and lease far beyond the test: only the give-back can explain a second attempt.
  const delivery = { ...QUICK_DELIVERY, attemptTimeoutMs: 60_000, leaseMs: 60_000 };
  const a = await instance(prefix, hooks.url, delivery);
  await scanOne(a);
  const [held] = await hooks.waitFor(1);
  const b = await instance(prefix, hooks.url, delivery);
  await a.close();
  const [, again] = await hooks.waitFor(2, 5_000);
  expect(again?.verified).toBe(true);
  expect(again?.headers['webhook-id']).toBe(held?.headers['webhook-id']);
  // The interrupted attempt is not counted.
  expect(await deliveredOnce(b)).toEqual([expect.objectContaining({ webhookId: held?.headers['webhook-id'], attempt: 1 })]);
});
