/**
 * Webhook targets on private addresses (SSRF): in production they are refused at delivery —
 * an IP literal as written, a name once resolved — logged and counted (`failed`, then
 * `gave_up`), unless the app says `webhookAllowPrivate`; the connection goes to the address
 * that was checked (a name the system cannot resolve at all is delivered to the address the
 * check saw). Development delivers anywhere. Real receivers on 127.0.0.1; the name resolution
 * is the one seam (a map of names, as a DNS server would answer).
 */
import type { AppConfig } from '../../server/config';
import { MemoryWebhookQueue } from '../../server/backend/memory/webhook-queue';
import { createLogger } from '../../server/logger';
import type { AppRegistry } from '../../server/services/apps';
import { createEventBus } from '../../server/services/events';
import { type Lookup, type WebhookOutcome, createWebhooks } from '../../server/webhooks';
import { sessionFixture } from '../contract/store-fixtures';
import { api } from '../helpers/api';
import { gene, registerUser, scan } from '../helpers/flow';
import { startServer, testApp } from '../helpers/server';
import { sleep } from '../helpers/time';
import { QUICK_DELIVERY } from '../helpers/webhook-flow';
import { type Receiver, newWebhookSecret, startReceiver } from '../helpers/webhook-receiver';

const secret = newWebhookSecret();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver({ secret });
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
});

/** A name only this test's resolver knows, pointing at the receiver's loopback address. */
const lookup: Lookup = async (hostname) => {
  if (hostname === 'hooks.example') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

/** Webhooks for one app (`shop`, sending to `url`), a qr.scanned emitted, until the outcomes settle. */
async function deliverOne(url: string, options: { production: boolean; allowPrivate?: boolean }) {
  const app = { id: 'shop', webhookUrl: url, webhookSecret: secret, ...(options.allowPrivate ? { webhookAllowPrivate: true } : {}) };
  const apps: AppRegistry = {
    get: (id) => (id === 'shop' ? (app as unknown as AppConfig) : undefined),
    resolve: () => app as unknown as AppConfig,
  };
  const events = createEventBus(() => undefined);
  const logs: Record<string, unknown>[] = [];
  const outcomes: WebhookOutcome[] = [];
  const webhooks = createWebhooks(
    {
      events,
      queue: new MemoryWebhookQueue(),
      apps,
      qr: { get: async () => null },
      logger: createLogger('debug', (line) => logs.push(JSON.parse(line) as Record<string, unknown>)),
      now: Date.now,
      production: options.production,
      onDelivery: (outcome) => outcomes.push(outcome),
      lookup,
    },
    QUICK_DELIVERY,
  );
  try {
    events.emit('qr.changed', { session: sessionFixture(Date.now(), { appId: 'shop', status: 1, scannedUserId: 'u1' }), action: 'scan' });
    const deadline = Date.now() + 5_000;
    while (!outcomes.some((outcome) => outcome !== 'failed') && Date.now() < deadline) await sleep(20);
  } finally {
    await webhooks.close();
  }
  return { outcomes, logs };
}

const target = (host: string) => `http://${host}:${receiver.port}/hooks`;

test('production refuses 127.0.0.1 at delivery: logged, counted failed then gave_up, nothing sent', async () => {
  const { outcomes, logs } = await deliverOne(target('127.0.0.1'), { production: true });
  expect(outcomes).toEqual(['failed', 'failed', 'gave_up']);
  const problem = 'refused: 127.0.0.1 is a private, loopback or link-local address (webhookAllowPrivate)';
  expect(logs.filter((line) => line.msg === 'webhook given up')).toEqual([expect.objectContaining({ level: 'warn', attempt: 3, problem })]);
  expect(receiver.received).toEqual([]);
});

test('production refuses a name that resolves to a private address (checked once resolved)', async () => {
  const { outcomes, logs } = await deliverOne(target('hooks.example'), { production: true });
  expect(outcomes).toEqual(['failed', 'failed', 'gave_up']);
  expect(logs.find((line) => line.msg === 'webhook given up')).toMatchObject({
    problem: 'refused: hooks.example is a private, loopback or link-local address (webhookAllowPrivate)',
  });
  expect(receiver.received).toEqual([]);
});

test('webhookAllowPrivate delivers in production, to the address the check saw (the name is unknown to the system)', async () => {
  const { outcomes } = await deliverOne(target('hooks.example'), { production: true, allowPrivate: true });
  expect(outcomes).toEqual(['delivered']);
  expect(receiver.received).toHaveLength(1);
  expect(receiver.received[0]).toMatchObject({ verified: true, headers: { host: `hooks.example:${receiver.port}` } });
});

test('development delivers to loopback; a name that does not resolve is a failed attempt', async () => {
  expect((await deliverOne(target('127.0.0.1'), { production: false })).outcomes).toEqual(['delivered']);
  const unknown = await deliverOne(target('nowhere.example'), { production: false });
  expect(unknown.outcomes).toEqual(['failed', 'failed', 'gave_up']);
  expect(unknown.logs.find((line) => line.msg === 'webhook given up')).toMatchObject({ problem: 'unreachable (ENOTFOUND)' });
});

test('a production server refuses its app’s loopback webhook at delivery unless the app allows private targets', async () => {
  const production = (allowPrivate: boolean) =>
    startServer({
      configure: (config) => ({
        ...config,
        env: 'production',
        apps: [
          ...config.apps,
          testApp(config, {
            id: 'shop',
            webhookUrl: receiver.url,
            webhookSecret: secret,
            ...(allowPrivate ? { webhookAllowPrivate: true } : {}),
          }),
        ],
      }),
      deps: { webhookDelivery: QUICK_DELIVERY },
    });
  for (const allowPrivate of [false, true]) {
    const server = await production(allowPrivate);
    try {
      const http = api(server.url);
      const phone = await registerUser(http);
      await scan(http, phone.token, (await gene(http, { 'x-authing-app-id': 'shop' })).random);
      const deadline = Date.now() + 5_000;
      const settled = () => server.logs.some((line) => /webhook (delivered|given up)/.test(line));
      while (!settled() && Date.now() < deadline) await sleep(20);
      const outcome = server.logs.find((line) => /webhook (delivered|given up)/.test(line)) ?? '';
      expect(JSON.parse(outcome)).toMatchObject(
        allowPrivate ? { msg: 'webhook delivered' } : { msg: 'webhook given up', problem: expect.stringMatching(/^refused: 127\.0\.0\.1/) },
      );
      expect(receiver.received).toHaveLength(allowPrivate ? 1 : 0);
    } finally {
      await server.close();
    }
  }
});
