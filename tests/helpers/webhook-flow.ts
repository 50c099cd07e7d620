/**
 * @module
 * For the webhook tests: an app with a webhook (and the test's delivery schedule), and a whole
 * login through the real HTTP API for an app: QR, scan, confirm, the ticket from `check`, and
 * its server-side exchange with the app secret.
 */
import type { AppConfig, Config } from '../../server/config';
import type { WebhookDeliveryOptions } from '../../server/webhooks';
import type { Api } from './api';
import { type Login, redeemedLogin } from './flow';
import { testApp } from './server';

/** Short enough for a test: 3 attempts 100 ms apart, 400 ms each at most, polled every 50 ms. */
export const QUICK_DELIVERY: WebhookDeliveryOptions = {
  retryDelaysMs: [100, 100],
  attemptTimeoutMs: 400,
  leaseMs: 2_000,
  pollIntervalMs: 50,
  maxHeld: 64,
};

export const HOOK_APP_SECRET = 'webhook-app-secret-0123456789';

/** An app `id` sending its webhooks to `url`, with the demo app's other options. */
export function hookApp(id: string, url: string, secret: string, extra: Partial<AppConfig> = {}): (config: Config) => AppConfig {
  return (config) => testApp(config, { id, secret: HOOK_APP_SECRET, webhookUrl: url, webhookSecret: secret, ...extra });
}

/** A QR of `appId`, scanned and confirmed by a new user, its ticket exchanged by the app's backend. */
export const fullLogin = (http: Api, appId: string): Promise<Login> => redeemedLogin(http, { appId, appSecret: HOOK_APP_SECRET });
