/**
 * A webhook survives its instance being killed (`kill -9`: no shutdown code runs) with Redis:
 * the built server (`dist/server/index.js`) runs as a child process on the test Redis and
 * queues the event; once it is dead, an instance in this process on the same Redis and prefix
 * delivers it, under the same `webhook-id`: after the dead instance's lease ends when it died
 * holding the job (its attempt in flight), at the retry's due time when its attempt had
 * failed (the receiver down). The default schedule: a 15 s lease, a first retry after 5 s.
 */
import { HEADERS } from '../../shared/http';
import { api } from '../helpers/api';
import { REDIS_URL, deleteByPrefix, uniquePrefix } from '../helpers/cluster';
import { gene, registerUser, scan } from '../helpers/flow';
import { type ServerProcess, spawnServer } from '../helpers/process-server';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer } from '../helpers/server';
import { connectRedis } from '../helpers/store-under-test';
import { sleep } from '../helpers/time';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secret = newWebhookSecret();
const ISSUER = 'https://login.webhooks-process.test';
let prefix: string;
const running: { child?: ServerProcess; server?: TestServer; receiver?: Receiver } = {};

/** The apps JSON both instances read: `hooks`, sending to `url`. */
const appsJson = (url: string) =>
  JSON.stringify({
    apps: [
      {
        id: 'hooks',
        name: 'Webhook test',
        secret: 'webhook-app-secret-0123456789',
        origins: ['http://127.0.0.1:*'],
        webhookUrl: url,
        webhookSecret: secret,
        webhookEvents: ['qr.scanned'],
      },
    ],
  });

/** The built server on the test Redis, as a child process. */
const child = (url: string) =>
  spawnServer({ env: { REDIS_URL, REDIS_KEY_PREFIX: prefix, ISSUER, APPS: appsJson(url), QRLOGIN_DEMO_APP_SECRET: 'x'.repeat(24) } });

/** An instance in this process on the same Redis and prefix, with the default schedule. */
const survivor = (url: string) => startServer({ env: { ISSUER, APPS: appsJson(url) }, redis: { url: REDIS_URL, prefix } });

/** The JSON log lines in `text` whose message is `msg`. */
const lines = (text: string, msg: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);

/** The survivor's 'webhook delivered' line, once it is written. */
async function deliveredBy(server: TestServer): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 5_000;
  while (lines(server.logs.join('\n'), 'webhook delivered').length === 0 && Date.now() < deadline) await sleep(20);
  return lines(server.logs.join('\n'), 'webhook delivered')[0];
}

/** A QR of `hooks`, scanned through the child: one qr.scanned queued there. */
async function scanThrough(process: ServerProcess): Promise<string> {
  const http = api(process.url);
  const phone = await registerUser(http);
  const qr = await gene(http, { [HEADERS.appId]: 'hooks' });
  await scan(http, phone.token, qr.random);
  return qr.random;
}

beforeEach(() => {
  prefix = uniquePrefix();
});
afterEach(async () => {
  await running.child?.kill9();
  await running.server?.close();
  await running.receiver?.close();
  Object.assign(running, { child: undefined, server: undefined, receiver: undefined });
  const redis = await connectRedis();
  await deleteByPrefix(redis, prefix);
  await redis.close();
});

test('killed holding the job (its attempt in flight): another instance delivers it once the lease has ended', async () => {
  // The first request is never answered: the child dies waiting for it.
  const receiver = (running.receiver = await startReceiver({ secret, answer: (index) => (index === 0 ? 'hang' : 200) }));
  const process = (running.child = await child(receiver.url));
  const random = await scanThrough(process);
  const [held] = await receiver.waitFor(1);
  await process.kill9();
  const server = (running.server = await survivor(receiver.url));
  const [, again] = await receiver.waitFor(2, 25_000);
  expect(again).toMatchObject({ verified: true, event: { type: 'qr.scanned', data: { random } } });
  expect(again?.headers['webhook-id']).toBe(held?.headers['webhook-id']);
  // The dead instance's claim counted: this is the second attempt.
  expect(await deliveredBy(server)).toMatchObject({ webhookId: held?.headers['webhook-id'], attempt: 2 });
  await sleep(300);
  expect(receiver.received).toHaveLength(2);
}, 60_000);

test('killed after a failed attempt (its receiver down): another instance makes the retry when it is due', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hooks`;
  const process = (running.child = await child(url));
  const random = await scanThrough(process);
  const failures = () => lines(process.output(), 'webhook attempt failed, will retry');
  const deadline = Date.now() + 5_000;
  while (failures().length === 0 && Date.now() < deadline) await sleep(20);
  const [failed] = failures();
  expect(failed).toMatchObject({ attempt: 1, problem: 'unreachable (ECONNREFUSED)' });
  await process.kill9();
  const receiver = (running.receiver = await startReceiver({ secret, port }));
  const server = (running.server = await survivor(url));
  const [hook] = await receiver.waitFor(1, 15_000);
  expect(hook).toMatchObject({ verified: true, event: { type: 'qr.scanned', data: { random } } });
  expect(hook?.headers['webhook-id']).toBe(failed?.webhookId);
  expect(await deliveredBy(server)).toMatchObject({ webhookId: failed?.webhookId, attempt: 2 });
}, 60_000);
