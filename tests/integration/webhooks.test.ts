/**
 * Signed webhooks through a real server and real receivers on 127.0.0.1 that verify every
 * request with the `standardwebhooks` package: a login's events in order with the documented
 * body and no credential anywhere in what is sent; a cancel; an expiry (and none for a QR
 * decided in time); `webhookEvents` choosing the types.
 */
import { API, HEADERS } from '../../shared/http';
import { api } from '../helpers/api';
import { bearer, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer, withApps } from '../helpers/server';
import { waitUntil } from '../helpers/sockets';
import { sleep } from '../helpers/time';
import { QUICK_DELIVERY, fullLogin, hookApp } from '../helpers/webhook-flow';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secrets = { all: newWebhookSecret(), picky: newWebhookSecret() };
let all: Receiver;
let picky: Receiver;
let server: TestServer;

beforeAll(async () => {
  all = await startReceiver({ secret: secrets.all });
  picky = await startReceiver({ secret: secrets.picky });
  server = await startServer({
    configure: withApps(
      hookApp('hooks', all.url, secrets.all, { qrTtlSeconds: 2 }),
      hookApp('picky', picky.url, secrets.picky, { webhookEvents: ['qr.confirmed', 'ticket.redeemed'] }),
    ),
    deps: { webhookDelivery: QUICK_DELIVERY },
  });
});
afterAll(async () => {
  await server.close();
  await Promise.all([all.close(), picky.close()]);
});
beforeEach(() => {
  all.received.length = 0;
  picky.received.length = 0;
});

test('a login sends qr.scanned, qr.confirmed and ticket.redeemed in order, signed, with the documented body and no credential', async () => {
  const http = api(server.url);
  const login = await fullLogin(http, 'hooks');
  const hooks = await all.waitFor(3);
  expect(hooks.map((hook) => hook.event?.type)).toEqual(['qr.scanned', 'qr.confirmed', 'ticket.redeemed']);
  expect(hooks.every((hook) => hook.verified)).toBe(true);
  const requester = { ip: expect.any(String), browser: expect.any(String), os: expect.any(String) };
  const data = { random: login.qr.random, appId: 'hooks', userId: login.user.id };
  expect(hooks.map((hook) => hook.event)).toEqual([
    { type: 'qr.scanned', timestamp: expect.any(String), data: { ...data, requester } },
    { type: 'qr.confirmed', timestamp: expect.any(String), data: { ...data, requester } },
    { type: 'ticket.redeemed', timestamp: expect.any(String), data: { ...data, requester } },
  ]);
  for (const hook of hooks) {
    expect(new Date(hook.event?.timestamp ?? '').toISOString()).toBe(hook.event?.timestamp);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['webhook-id']).toMatch(/^msg_[0-9a-z]{12}[A-Za-z0-9_-]{14}$/);
    expect(Math.abs(Number(hook.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(hook.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  }
  expect(new Set(hooks.map((hook) => hook.headers['webhook-id'])).size).toBe(3);
  // Nothing that lets anyone sign in or impersonate: not in a body, not in a header.
  const sent = hooks.map((hook) => `${hook.raw}\n${JSON.stringify(hook.headers)}`).join('\n');
  const key = secrets.all.slice('whsec_'.length);
  for (const credential of [login.ticket, login.qr.secret, login.phone.token, login.user.token, key, 'webhook-app-secret']) {
    expect(credential.length).toBeGreaterThan(10);
    expect(sent).not.toContain(credential);
  }
  expect(sent).not.toMatch(/ticket"|secret|token/i);
  // The log says so, with ids only (written once the receiver's answer is read, which may
  // come after the receiver has recorded the request).
  const ids = hooks.map((hook) => String(hook.headers['webhook-id']));
  await waitUntil(() => ids.every((id) => server.logs.some((line) => line.includes('webhook delivered') && line.includes(id))));
  const delivered = server.logs
    .filter((line) => line.includes('webhook delivered'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(delivered.slice(-3)).toEqual(
    hooks.map((hook) =>
      expect.objectContaining({ appId: 'hooks', type: hook.event?.type, webhookId: hook.headers['webhook-id'], attempt: 1 }),
    ),
  );
});

test('a cancel sends qr.cancelled with the scanner', async () => {
  const http = api(server.url);
  const phone = await registerUser(http);
  const qr = await gene(http, { [HEADERS.appId]: 'hooks' });
  await scan(http, phone.token, qr.random);
  await http.post(API.cancel, { random: qr.random }, bearer(phone.token));
  const hooks = await all.waitFor(2);
  expect(hooks.map((hook) => [hook.event?.type, hook.verified])).toEqual([
    ['qr.scanned', true],
    ['qr.cancelled', true],
  ]);
  expect(hooks[1]?.event?.data).toMatchObject({ random: qr.random, appId: 'hooks', userId: phone.user.id });
});

test('a cancel before any scan names the user who cancelled', async () => {
  const http = api(server.url);
  const phone = await registerUser(http);
  const qr = await gene(http, { [HEADERS.appId]: 'hooks' });
  await http.post(API.cancel, { random: qr.random }, bearer(phone.token));
  const [hook] = await all.waitFor(1);
  expect(hook?.event?.type).toBe('qr.cancelled');
  expect(hook?.event?.data).toMatchObject({ random: qr.random, appId: 'hooks', userId: phone.user.id });
});

test('a QR that expires undecided sends qr.expired (stamped with its deadline); one confirmed in time sends none', async () => {
  const http = api(server.url);
  const phone = await registerUser(http);
  const decided = await gene(http, { [HEADERS.appId]: 'hooks' });
  await sleep(300);
  // Expires 300 ms after `decided`: once its qr.expired is in, `decided`'s check has run too
  // (the checks of one app are handled in deadline order).
  const sentinel = await gene(http, { [HEADERS.appId]: 'hooks' });
  await scan(http, phone.token, decided.random);
  await http.post(API.confirm, { random: decided.random }, bearer(phone.token));
  await scan(http, phone.token, sentinel.random);
  const hooks = await all.waitFor(4, 12_000);
  expect(hooks.map((hook) => [hook.event?.type, hook.event?.data.random])).toEqual([
    ['qr.scanned', decided.random],
    ['qr.confirmed', decided.random],
    ['qr.scanned', sentinel.random],
    ['qr.expired', sentinel.random],
  ]);
  const expired = hooks[3];
  expect(expired?.verified).toBe(true);
  expect(expired?.event).toEqual({
    type: 'qr.expired',
    timestamp: sentinel.expireAt,
    data: { random: sentinel.random, appId: 'hooks', userId: phone.user.id, requester: expect.any(Object) },
  });
  await sleep(300);
  expect(all.received).toHaveLength(4);
});

test('webhookEvents chooses the types an app receives', async () => {
  const login = await fullLogin(api(server.url), 'picky');
  const hooks = await picky.waitFor(2);
  expect(hooks.map((hook) => [hook.event?.type, hook.event?.data.random, hook.verified])).toEqual([
    ['qr.confirmed', login.qr.random, true],
    ['ticket.redeemed', login.qr.random, true],
  ]);
  await sleep(200);
  expect(picky.received).toHaveLength(2);
  expect(all.received).toHaveLength(0);
});
