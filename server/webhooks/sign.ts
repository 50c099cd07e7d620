/**
 * @module
 * Standard Webhooks signatures: `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded part of the app's
 * `whsec_` secret. Receivers verify with any Standard Webhooks library (the `standardwebhooks`
 * npm package: `new Webhook(secret).verify(body, headers)`).
 */
import { createHmac } from 'node:crypto';
import { webhookKey } from '../domain/webhooks';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers of one attempt: `timestamp` in unix seconds (the attempt's own time). */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): WebhookHeaders {
  const signature = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}
