/**
 * @module
 * One claimed job, start to end: the event it carries (an expiry check becomes `qr.expired`
 * only for a QR that expired undecided), the app's current endpoint and secret, a freshly
 * signed attempt (a new `webhook-timestamp` and signature each time, the same `webhook-id`),
 * and the outcome written back to the queue: delivered (2xx) → removed; failed → retried
 * after the schedule's next delay; failed on the last attempt → removed, given up (`warn`).
 */
import type { ClaimedJob, WebhookQueue } from '../backend/webhook-queue';
import type { QrStore } from '../backend/stores';
import type { AppConfig } from '../domain/app';
import type { Clock } from '../domain/clock';
import { expirySettlesAt, expiryVerdict } from '../domain/qr-session';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhooks';
import type { Logger } from '../logger';
import type { AppRegistry } from '../services/apps';
import type { JobContext } from './deliverer';
import { type WebhookJobData, parseJobData, sessionEvent } from './events';
import { type WebhookDeliveryOptions, jitter } from './options';
import { type Lookup, sendWebhook } from './send';
import { signWebhook } from './sign';

/** What became of one attempt, for a metric (`qrlogin_webhook_deliveries_total{outcome}`). */
export type WebhookOutcome = 'delivered' | 'failed' | 'gave_up';

export interface DeliverDeps {
  queue: WebhookQueue;
  apps: AppRegistry;
  qr: Pick<QrStore, 'get'>;
  logger: Logger;
  now: Clock;
  options: WebhookDeliveryOptions;
  /** Production refuses private targets unless the app allows them. */
  production: boolean;
  lookup: Lookup;
  onDelivery?: (outcome: WebhookOutcome) => void;
}

/** Whether the app takes events of `type` at its webhook. */
export function wantsEvent(app: AppConfig, type: WebhookEventType): boolean {
  return app.webhookUrl !== undefined && (app.webhookEvents ?? WEBHOOK_EVENT_TYPES).includes(type);
}

type Ready = Extract<WebhookJobData, { type: WebhookEventType }>;

export function createJobHandler(deps: DeliverDeps): (job: ClaimedJob, context: JobContext) => Promise<void> {
  const { queue, logger } = deps;

  /** The event an expiry check stands for; null when there is none (settled here). */
  async function expiryEvent(job: ClaimedJob, check: { appId: string; expiryOf: string }): Promise<Ready | null> {
    const found = await deps.qr.get(check.expiryOf);
    const session = found && found.appId === check.appId ? found : null;
    const verdict = session ? expiryVerdict(session, deps.now()) : 'decided';
    if (session && verdict === 'expired') {
      return { appId: check.appId, type: 'qr.expired', body: JSON.stringify(sessionEvent('qr.expired', session, session.expireAt)) };
    }
    // Claimed early (another instance's clock, or queued at the deadline by an older version):
    // given back until it settles, the claim not counted as an attempt.
    if (session && verdict === 'unsettled') await queue.release(job.id, job.lease, expirySettlesAt(session));
    // Confirmed or cancelled in time (or gone): nothing to tell.
    else await queue.complete(job.id, job.lease);
    return null;
  }

  return async (job, { closing, lost }) => {
    if (closing.aborted) {
      await queue.release(job.id, job.lease);
      return;
    }
    // Its lease ended while it waited its turn: another instance may be delivering it.
    if (lost()) return;
    const data = parseJobData(job.data);
    const app = data ? deps.apps.get(data.appId) : undefined;
    if (!data || !app?.webhookUrl || !app.webhookSecret) {
      logger.info('webhook dropped: its app has no webhook (any more)', { webhookId: job.id, ...(data ? { appId: data.appId } : {}) });
      await queue.complete(job.id, job.lease);
      return;
    }
    const ready = 'expiryOf' in data ? await expiryEvent(job, data) : data;
    if (!ready) return;
    if (!wantsEvent(app, ready.type)) {
      await queue.complete(job.id, job.lease);
      return;
    }
    const headers = signWebhook(app.webhookSecret, job.id, Math.floor(deps.now() / 1000), ready.body);
    const result = await sendWebhook(
      app.webhookUrl,
      ready.body,
      { ...headers },
      {
        timeoutMs: deps.options.attemptTimeoutMs,
        refusePrivate: deps.production && !app.webhookAllowPrivate,
        lookup: deps.lookup,
        signal: closing,
      },
    );
    const fields = { appId: app.id, type: ready.type, webhookId: job.id, attempt: job.attempt };
    if (result.ok) {
      await queue.complete(job.id, job.lease);
      deps.onDelivery?.('delivered');
      logger.info('webhook delivered', { ...fields, status: result.status });
      return;
    }
    if (result.aborted) {
      await queue.release(job.id, job.lease);
      return;
    }
    const delay = deps.options.retryDelaysMs[job.attempt - 1];
    if (delay === undefined) {
      await queue.complete(job.id, job.lease);
      deps.onDelivery?.('gave_up');
      logger.warn('webhook given up', { ...fields, problem: result.problem });
      return;
    }
    const retryInMs = jitter(delay, 0.2);
    // An expiry check is kept as the event it became: the QR's record does not outlive the schedule.
    await queue.retry(job.id, job.lease, deps.now() + retryInMs, 'expiryOf' in data ? JSON.stringify(ready) : undefined);
    deps.onDelivery?.('failed');
    logger.warn('webhook attempt failed, will retry', { ...fields, problem: result.problem, retryInMs });
  };
}
