/**
 * @module
 * Signed webhooks (Standard Webhooks): the domain events of an app's QR codes become jobs in
 * the backend's webhook queue, delivered at least once to the app's `webhookUrl` by whichever
 * instance claims them (./deliverer.ts, ./deliver.ts). Queued from the domain event bus:
 * `qr.changed` (scan, confirm, cancel), `qr.redeemed`, and `qr.created` (an expiry check due
 * at the QR's deadline, ./events.ts). An event is queued only for an app whose webhook takes
 * its type; a queue that cannot be written (Redis down) loses the event, logged at `warn`.
 */
import type { WebhookQueue } from '../backend/webhook-queue';
import type { QrStore } from '../backend/stores';
import type { Clock } from '../domain/clock';
import { newRandom } from '../domain/secrets';
import type { WebhookEventType } from '../domain/webhooks';
import type { Logger } from '../logger';
import type { AppRegistry } from '../services/apps';
import type { EventBus } from '../services/events';
import { type WebhookOutcome, createJobHandler, wantsEvent } from './deliver';
import { startDeliverer } from './deliverer';
import { ACTION_EVENTS, type WebhookJobData, parseJobData, redeemedEvent, sessionEvent } from './events';
import { DEFAULT_WEBHOOK_DELIVERY, type WebhookDeliveryOptions } from './options';
import { type Lookup, systemLookup } from './send';

export type { WebhookOutcome } from './deliver';
export type { WebhookEvent } from './events';
export { DEFAULT_WEBHOOK_DELIVERY, type WebhookDeliveryOptions } from './options';
export type { Lookup } from './send';

export interface WebhookDeps {
  events: EventBus;
  queue: WebhookQueue;
  apps: AppRegistry;
  /** Where an expiry check reads the QR. */
  qr: Pick<QrStore, 'get'>;
  logger: Logger;
  now: Clock;
  /** `NODE_ENV=production`: private targets refused unless the app says `webhookAllowPrivate`. */
  production: boolean;
  /** Called once per attempt's outcome (`failed` for one that will be retried). */
  onDelivery?: (outcome: WebhookOutcome) => void;
  /** Name resolution. @default dns.lookup */
  lookup?: Lookup;
}

export interface Webhooks {
  /** Stops queueing and delivering; held jobs go back to the queue (see ./deliverer.ts). */
  close(): Promise<void>;
}

export function createWebhooks(deps: WebhookDeps, options: WebhookDeliveryOptions = DEFAULT_WEBHOOK_DELIVERY): Webhooks {
  const { events, queue, apps, logger, now } = deps;
  const adding = new Set<Promise<void>>();
  let closed = false;

  const deliverer = startDeliverer({
    queue,
    logger,
    now,
    options,
    handle: createJobHandler({ ...deps, lookup: deps.lookup ?? systemLookup, options }),
    orderKey: (job) => parseJobData(job.data)?.appId ?? '',
  });

  function enqueue(data: WebhookJobData, type: WebhookEventType, dueAt: number): void {
    if (closed) return;
    const id = `msg_${newRandom()}`;
    const added = queue.add(id, JSON.stringify(data), dueAt).then(
      () => {
        if (dueAt <= now()) deliverer.kick();
      },
      (error: unknown) => logger.warn('webhook not queued, the event is lost', { appId: data.appId, type, webhookId: id, error }),
    );
    adding.add(added);
    void added.then(() => adding.delete(added));
  }

  /** The app of `appId` when it takes `type`. */
  const subscriber = (appId: string, type: WebhookEventType) => {
    const app = apps.get(appId);
    return app && wantsEvent(app, type) ? app : undefined;
  };

  const unsubscribe = [
    events.on('qr.changed', ({ session, action }) => {
      const type = ACTION_EVENTS[action];
      if (!subscriber(session.appId, type)) return;
      const at = now();
      enqueue({ appId: session.appId, type, body: JSON.stringify(sessionEvent(type, session, at)) }, type, at);
    }),
    events.on('qr.created', ({ session }) => {
      if (subscriber(session.appId, 'qr.expired'))
        enqueue({ appId: session.appId, expiryOf: session.random }, 'qr.expired', session.expireAt);
    }),
    events.on('qr.redeemed', (redeemed) => {
      if (!subscriber(redeemed.appId, 'ticket.redeemed')) return;
      const at = now();
      enqueue({ appId: redeemed.appId, type: 'ticket.redeemed', body: JSON.stringify(redeemedEvent(redeemed, at)) }, 'ticket.redeemed', at);
    }),
  ];

  return {
    async close() {
      if (closed) return;
      closed = true;
      for (const off of unsubscribe) off();
      await Promise.allSettled([...adding]);
      await deliverer.close();
      if (!queue.durable) {
        const pending = await queue.count();
        if (pending > 0)
          logger.warn('webhook deliveries dropped at shutdown (the queue is kept in this process without Redis)', { pending });
      }
    },
  };
}
