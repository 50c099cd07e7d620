/**
 * One app whose receiver hangs delays its own events only: with a backlog of its events due
 * first, another app's event is still delivered at once, because one app holds at most a
 * quarter of an instance's room for jobs (server/webhooks/deliverer.ts); the events held back
 * are given back to the queue, not lost, and not counted as attempts. Real receivers on loopback.
 */
import type { AppConfig } from '../../server/config';
import { MemoryWebhookQueue } from '../../server/backend/memory/webhook-queue';
import { createLogger } from '../../server/logger';
import type { AppRegistry } from '../../server/services/apps';
import { createEventBus } from '../../server/services/events';
import { createWebhooks } from '../../server/webhooks';
import { sessionFixture } from '../contract/store-fixtures';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secret = newWebhookSecret();
let hanging: Receiver;
let answering: Receiver;
beforeAll(async () => {
  [hanging, answering] = await Promise.all([startReceiver({ secret, answer: () => 'hang' }), startReceiver({ secret })]);
});
afterAll(() => Promise.all([hanging.close(), answering.close()]));

/** Webhooks for the apps of `receivers` (app id → receiver) on an in-process queue. */
function webhooksFor(receivers: Record<string, Receiver>, options: { attemptTimeoutMs: number; maxHeld: number }) {
  const apps = new Map(
    Object.entries(receivers).map(([id, receiver]) => [
      id,
      { id, webhookUrl: `http://127.0.0.1:${receiver.port}/hooks`, webhookSecret: secret } as unknown as AppConfig,
    ]),
  );
  const registry: AppRegistry = { get: (id) => apps.get(id), resolve: (id) => apps.get(id ?? '') as AppConfig };
  const events = createEventBus(() => undefined);
  const queue = new MemoryWebhookQueue();
  const webhooks = createWebhooks(
    { events, queue, apps: registry, qr: { get: async () => null }, logger: createLogger('silent'), now: Date.now, production: false },
    { retryDelaysMs: [60_000], attemptTimeoutMs: options.attemptTimeoutMs, leaseMs: 5_000, pollIntervalMs: 50, maxHeld: options.maxHeld },
  );
  const scan = (appId: string, random?: string) =>
    events.emit('qr.changed', {
      session: sessionFixture(Date.now(), { appId, status: 1, scannedUserId: 'u1', ...(random ? { random } : {}) }),
      action: 'scan',
    });
  return { webhooks, queue, scan };
}

test('a burst of one app larger than its share is delivered in order, a later event last, without waiting on leases', async () => {
  answering.received.length = 0;
  // Room for 8 jobs, 1 per app: the burst waits in the queue, in order.
  const { webhooks, scan } = webhooksFor({ fine: answering }, { attemptTimeoutMs: 10_000, maxHeld: 8 });
  try {
    const randoms = Array.from({ length: 11 }, (_, i) => `R-burst-${String(i).padStart(2, '0')}`);
    for (const random of randoms.slice(0, 10)) scan('fine', random);
    await new Promise((resolve) => setTimeout(resolve, 300));
    scan('fine', randoms[10]);
    // Far below the 5 s lease a deferral would have cost.
    const hooks = await answering.waitFor(11, 4_000);
    expect(hooks.map((hook) => hook.event?.data.random)).toEqual(randoms);
  } finally {
    await webhooks.close();
  }
});

test('a hanging receiver with a backlog does not hold up another app’s webhook', async () => {
  const apps = new Map(
    [
      { id: 'stuck', webhookUrl: `http://127.0.0.1:${hanging.port}/hooks`, webhookSecret: secret },
      { id: 'fine', webhookUrl: `http://127.0.0.1:${answering.port}/hooks`, webhookSecret: secret },
    ].map((app) => [app.id, app as unknown as AppConfig]),
  );
  const registry: AppRegistry = { get: (id) => apps.get(id), resolve: (id) => apps.get(id ?? '') as AppConfig };
  const events = createEventBus(() => undefined);
  const queue = new MemoryWebhookQueue();
  const webhooks = createWebhooks(
    { events, queue, apps: registry, qr: { get: async () => null }, logger: createLogger('silent'), now: Date.now, production: false },
    // Room for 8 jobs (2 per app); an attempt may hang 10 s.
    { retryDelaysMs: [60_000], attemptTimeoutMs: 10_000, leaseMs: 5_000, pollIntervalMs: 50, maxHeld: 8 },
  );
  const scan = (appId: string) =>
    events.emit('qr.changed', { session: sessionFixture(Date.now(), { appId, status: 1, scannedUserId: 'u1' }), action: 'scan' });
  try {
    for (let i = 0; i < 12; i++) scan('stuck');
    // The stuck app's first event is on its way (and hanging) before the other app's is queued.
    await hanging.waitFor(1, 5_000);
    scan('fine');
    // Without the share, 'fine' would wait for a stuck attempt to time out (10 s).
    const [hook] = await answering.waitFor(1, 3_000);
    expect(hook?.verified).toBe(true);
    expect(hook?.event?.data.appId).toBe('fine');
    // The stuck app's events wait their turn one at a time; none is lost.
    expect(hanging.received).toHaveLength(1);
    // The other app's job leaves the queue once its answer is in; the stuck app's twelve stay.
    for (let i = 0; i < 50 && (await queue.count()) > 12; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await queue.count()).toBe(12);
  } finally {
    await webhooks.close();
  }
});
