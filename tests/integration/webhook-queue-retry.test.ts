/**
 * An event whose queue write fails (Redis briefly down) is not lost: it is written again, under
 * the same id, and delivered once the queue takes it; a queue that keeps failing loses it at
 * shutdown, said at `warn`, without holding the shutdown up. A real receiver on loopback checks
 * the signature; the queue is the in-process one behind a switch that refuses writes.
 */
import type { AppConfig } from '../../server/config';
import { MemoryWebhookQueue } from '../../server/backend/memory/webhook-queue';
import type { WebhookQueue } from '../../server/backend/webhook-queue';
import { createLogger } from '../../server/logger';
import type { AppRegistry } from '../../server/services/apps';
import { createEventBus } from '../../server/services/events';
import { createWebhooks } from '../../server/webhooks';
import { sessionFixture } from '../contract/store-fixtures';
import { QUICK_DELIVERY } from '../helpers/webhook-flow';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secret = newWebhookSecret();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver({ secret });
});
afterAll(() => receiver.close());

/** The in-process queue, whose `add` fails while `refusing` is above 0 (counting down per call). */
function flakyQueue(refusing: number): WebhookQueue & { adds: string[] } {
  const real = new MemoryWebhookQueue();
  const adds: string[] = [];
  return Object.assign(Object.create(real) as WebhookQueue, {
    adds,
    durable: false,
    add: async (id: string, data: string, dueAt: number) => {
      adds.push(id);
      if (refusing-- > 0) throw new Error('connection to Redis lost');
      return real.add(id, data, dueAt);
    },
  });
}

function webhooksOn(queue: WebhookQueue) {
  const app = { id: 'shop', webhookUrl: `http://127.0.0.1:${receiver.port}/hooks`, webhookSecret: secret };
  const apps: AppRegistry = {
    get: (id) => (id === 'shop' ? (app as unknown as AppConfig) : undefined),
    resolve: () => app as unknown as AppConfig,
  };
  const events = createEventBus(() => undefined);
  const logs: Record<string, unknown>[] = [];
  const webhooks = createWebhooks(
    {
      events,
      queue,
      apps,
      qr: { get: async () => null },
      logger: createLogger('debug', (line) => logs.push(JSON.parse(line) as Record<string, unknown>)),
      now: Date.now,
      production: false,
    },
    QUICK_DELIVERY,
  );
  const scanEvent = () =>
    events.emit('qr.changed', { session: sessionFixture(Date.now(), { appId: 'shop', status: 1, scannedUserId: 'u1' }), action: 'scan' });
  return { webhooks, logs, scanEvent };
}

test('an event the queue refused twice is queued on the third try, under one id, and delivered', async () => {
  receiver.received.length = 0;
  const queue = flakyQueue(2);
  const { webhooks, logs, scanEvent } = webhooksOn(queue);
  try {
    scanEvent();
    const [hook] = await receiver.waitFor(1, 10_000);
    expect(hook?.verified).toBe(true);
    expect(hook?.event?.type).toBe('qr.scanned');
    expect(queue.adds).toHaveLength(3);
    expect(new Set(queue.adds).size).toBe(1);
    expect(hook?.headers['webhook-id']).toBe(queue.adds[0]);
    expect(logs.filter((line) => line.msg === 'webhook not queued, the event is lost')).toEqual([]);
  } finally {
    await webhooks.close();
  }
});

test('a queue that keeps refusing: at shutdown the event is given up, said once at warn, and the shutdown is not held up', async () => {
  receiver.received.length = 0;
  const queue = flakyQueue(Number.POSITIVE_INFINITY);
  const { webhooks, logs, scanEvent } = webhooksOn(queue);
  scanEvent();
  // The third try failed: it now waits about 2 s before the fourth.
  while (queue.adds.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
  const started = Date.now();
  await webhooks.close();
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(logs.filter((line) => line.msg === 'webhook not queued, the event is lost')).toEqual([
    expect.objectContaining({ level: 'warn', appId: 'shop', type: 'qr.scanned', webhookId: queue.adds[0] }),
  ]);
  expect(receiver.received).toEqual([]);
});
