/**
 * @module
 * The names and label values of qrlogin's own Prometheus metrics: the contract that
 * dashboards (deploy/grafana-dashboard.json), alerts and PROTOCOL §7 rely on. A unit test
 * checks that the dashboard queries every one of them.
 */

export const METRIC = {
  /** Counter `{app}`: confirmed logins. */
  logins: 'qrlogin_logins_total',
  /** Counter `{app}`: QR codes created. */
  qrCreated: 'qrlogin_qr_total',
  /** Counter `{outcome}`: QR codes that ended confirmed, cancelled or expired. */
  qrOutcomes: 'qrlogin_qr_outcomes_total',
  /** Histogram: from a transition being written to its push being emitted, seconds. */
  pushLatency: 'qrlogin_push_latency_seconds',
  /** Gauge: Socket.IO sockets connected to this instance. */
  sockets: 'qrlogin_sockets',
  /** Histogram `{route, status_class}`: HTTP request durations, seconds. */
  httpDuration: 'qrlogin_http_request_duration_seconds',
  /** Counter `{rule}`: requests refused by a rate limit. */
  rateLimited: 'qrlogin_rate_limited_total',
  /** Gauge: 1 when the backend (store, Redis) answered its ping at the scrape, else 0. */
  backendUp: 'qrlogin_backend_up',
  /** Counter `{outcome}`: webhook deliveries. */
  webhookDeliveries: 'qrlogin_webhook_deliveries_total',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export const QR_OUTCOMES = ['confirmed', 'cancelled', 'expired'] as const;
export type QrOutcome = (typeof QR_OUTCOMES)[number];

/** `delivered`: a 2xx answer; `failed`: an attempt that will be retried; `gave_up`: the last attempt failed. */
export const WEBHOOK_OUTCOMES = ['delivered', 'failed', 'gave_up'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * Push latency buckets, seconds: a push on one instance takes tens of microseconds to a
 * millisecond (BENCHMARKS.md), one through the Redis adapter a few milliseconds.
 */
export const PUSH_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** HTTP durations, seconds: API answers take about a millisecond; slow ones (OIDC, images) more. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The `route` label of a request no Express route matched: static files, the OpenID provider's own endpoints, 404s. */
export const UNMATCHED_ROUTE = 'unmatched';
