/**
 * @module
 * Signed webhooks (Standard Webhooks): the domain events of an app's QR codes become jobs in
 * the backend's webhook queue, delivered at least once to the app's `webhookUrl` by whichever
 * instance claims them (./deliverer.ts, ./deliver.ts). Queued from the domain event bus:
 * `qr.changed` (scan, confirm, cancel), `qr.redeemed`, and `qr.created` (an expiry check due
 * when the QR's expiry settles, ./events.ts). An event is queued only for an app whose webhook
 * takes its type. A queue that cannot be written (Redis down) is tried again for about a minute
 * (an add is keyed by the event's id, so a retry never queues it twice); after that, or at
 * shutdown, the event is lost, logged at `warn`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookQueue } from '../backend/webhook-queue';
import type { QrStore } from '../backend/stores';
import type { Clock } from '../domain/clock';
import { newRandom } from '../domain/secrets';
import { expirySettlesAt } from '../domain/qr-session';
import type { WebhookEventType } from '../domain/webhooks';
import type { Logger } from '../logger';
import type { AppRegistry } from '../services/apps';
import type { EventBus } from '../services/events';
import { type WebhookOutcome, createJobHandler, wantsEvent } from './deliver';
import { startDeliverer } from './deliverer';
import { ACTION_EVENTS, type WebhookJobData, parseJobData, redeemedEvent, sessionEvent } from './events';
import { DEFAULT_WEBHOOK_DELIVERY, type WebhookDeliveryOptions, jitter } from './options';
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

/** Waits before each new attempt to queue an event the queue refused (about a minute in all, ±25 %). */
const QUEUE_RETRY_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
/** Events waiting to be queued again at most; beyond, a refused event is lost at once (logged). */
const MAX_WAITING_ADDS = 10_000;

/**
 * A webhook id that sorts by when it was made: the queue orders jobs due at the same millisecond
 * by id, so one app's events queued in one burst keep their order. `msg_`, the time (9 base-36
 * digits), a counter (3), then 84 random bits (14 base64url characters) for uniqueness across
 * instances: 30 characters, under the length the log redacts as credential-shaped.
 */
function webhookIds(now: Clock): () => string {
  let seq = 0;
  return () => {
    seq = (seq + 1) % 36 ** 3;
    return `msg_${now().toString(36).padStart(9, '0')}${seq.toString(36).padStart(3, '0')}${newRandom().slice(0, 14)}`;
  };
}

export function createWebhooks(deps: WebhookDeps, options: WebhookDeliveryOptions = DEFAULT_WEBHOOK_DELIVERY): Webhooks {
  const { events, queue, apps, logger, now } = deps;
  const adding = new Set<Promise<void>>();
  const nextId = webhookIds(now);
  let closed = false;

  const deliverer = startDeliverer({
    queue,
    logger,
    now,
    options,
    handle: createJobHandler({ ...deps, lookup: deps.lookup ?? systemLookup, options }),
    orderKey: (job) => parseJobData(job.data)?.appId ?? '',
  });

  /** Ends the waits between attempts to queue an event at shutdown. */
  const closing = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: closing.signal, ref: false }).catch(() => undefined);

  function enqueue(data: WebhookJobData, type: WebhookEventType, dueAt: number): void {
    if (closed) return;
    const id = nextId();
    const text = JSON.stringify(data);
    const added = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await queue.add(id, text, dueAt, data.appId);
          if (dueAt <= now()) deliverer.kick();
          return;
        } catch (error) {
          const wait = QUEUE_RETRY_MS[attempt];
          // Past the schedule, at shutdown, or with too many events waiting already (a long outage).
          if (closed || wait === undefined || (attempt === 0 && adding.size > MAX_WAITING_ADDS)) {
            logger.warn('webhook not queued, the event is lost', { appId: data.appId, type, webhookId: id, error });
            return;
          }
          // Spread out, so that the events of an outage do not all come back at the same moment.
          await pause(jitter(wait, 0.25));
        }
      }
    })();
    adding.add(added);
    void added.then(() => adding.delete(added));
  }

  /** The app of `appId` when it takes `type`. */
  const subscriber = (appId: string, type: WebhookEventType) => {
    const app = apps.get(appId);
    return app && wantsEvent(app, type) ? app : undefined;
  };

  const unsubscribe = [
    events.on('qr.changed', ({ session, action, userId }) => {
      const type = ACTION_EVENTS[action];
      if (!subscriber(session.appId, type)) return;
      const at = now();
      enqueue({ appId: session.appId, type, body: JSON.stringify(sessionEvent(type, session, at, userId)) }, type, at);
    }),
    events.on('qr.created', ({ session }) => {
      if (subscriber(session.appId, 'qr.expired'))
        enqueue({ appId: session.appId, expiryOf: session.random }, 'qr.expired', expirySettlesAt(session));
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
      closing.abort();
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
