/**
 * @module
 * `createMetrics()`: one app instance's Prometheus metrics (server/metrics/names.ts) on a
 * registry of its own, never prom-client's global one, so that several instances in one
 * process (tests) never count into each other. The hooks are what the rest of the server
 * calls; with metrics off (`METRICS=off`) they do nothing and there is nothing to scrape.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { type Cells, createCells } from './cells';
import { registerHistogram } from './histogram';
import { RATE_RULES } from '../ratelimit/limits';
import { HTTP_BUCKETS, METRIC, PUSH_BUCKETS, QR_OUTCOMES, type QrOutcome, WEBHOOK_OUTCOMES, type WebhookOutcome } from './names';

/** What is read at each scrape rather than counted as it happens. */
export interface MetricSources {
  /** Sockets connected to this instance now. */
  sockets(): number;
  /** The backend's ping: resolves when it answers. A scrape waits at most {@link BACKEND_PING_DEADLINE_MS}. */
  ping(): Promise<unknown>;
}

export interface Metrics {
  readonly enabled: boolean;
  /** The `Content-Type` of {@link scrape}'s text. */
  readonly contentType: string;
  /** The Prometheus text format of this instance's metrics and the process's default ones. */
  scrape(): Promise<string>;
  qrCreated(appId: string): void;
  loggedIn(appId: string): void;
  qrEnded(outcome: QrOutcome): void;
  /**
   * Called by the push path right after a push is emitted, with `process.hrtime.bigint()`
   * taken when its stored transition was announced. Undefined when metrics are off, so the
   * push path does not even read the clock.
   */
  readonly pushEmitted: ((startedNs: bigint) => void) | undefined;
  httpRequest(route: string, status: number, seconds: number): void;
  rateLimited(rule: string): void;
  /** For the webhook delivery: one call per attempt's outcome. */
  webhookDelivered(outcome: WebhookOutcome): void;
  /** Where the scrape-time values come from (the app wires this once its Socket.IO server exists). */
  readFrom(sources: MetricSources): void;
}

/** The longest a scrape waits for the backend's ping before reporting it down. */
export const BACKEND_PING_DEADLINE_MS = 2000;

const noop = () => {};

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export const DISABLED_METRICS: Metrics = Object.freeze({
  enabled: false,
  contentType: 'text/plain',
  scrape: () => Promise.resolve(''),
  qrCreated: noop,
  loggedIn: noop,
  qrEnded: noop,
  pushEmitted: undefined,
  httpRequest: noop,
  rateLimited: noop,
  webhookDelivered: noop,
  readFrom: noop,
});

/**
 * The process's default metrics (CPU, memory, event loop, GC) on one registry per process,
 * started by the first scrape: prom-client's collectors start observers (GC, event-loop delay)
 * that cannot be stopped, so each app instance starting its own would leak them in a process
 * that starts many (tests). Not prom-client's global registry either: nothing else in the
 * process counts into it.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A cache per key: a request finds its series by two lookups, building no string. */
function cached<C>(make: (key: string) => C): (key: string) => C {
  const made = new Map<string, C>();
  return (key) => {
    let child = made.get(key);
    if (child === undefined) made.set(key, (child = make(key)));
    return child;
  };
}

/** Whether `ping` resolves within `ms`. */
function answers(ping: () => Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    ping().then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

/** `appIds`: the configured apps, whose series start at 0 (so `rate()` sees their first login). */
export function createMetrics(appIds: readonly string[] = []): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let sources: MetricSources | undefined;
  const [logins, created, outcomes, limited, webhooks] = [createCells(), createCells(), createCells(), createCells(), createCells()];
  const counter = (name: string, help: string, label: string, cells: Cells) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      collect() {
        cells.copyTo(this, label);
      },
    });

  counter(METRIC.logins, 'Confirmed logins, by app.', 'app', logins);
  counter(METRIC.qrCreated, 'QR codes created, by app.', 'app', created);
  counter(
    METRIC.qrOutcomes,
    'QR codes that ended: confirmed, cancelled (by the phone, or a wrong number pick), or expired (each counted once, by the instance whose expiry sweep took its deadline).',
    'outcome',
    outcomes,
  );
  const pushLatency = registerHistogram(registry, {
    name: METRIC.pushLatency,
    help: 'Seconds from a stored transition being announced to its push being emitted to the QR room.',
    labelNames: [],
    buckets: PUSH_BUCKETS,
  });
  new Gauge({
    name: METRIC.sockets,
    help: 'Socket.IO sockets connected to this instance.',
    registers,
    collect() {
      this.set(sources?.sockets() ?? 0);
    },
  });
  const http = registerHistogram(registry, {
    name: METRIC.httpDuration,
    help: 'HTTP request durations in seconds, by Express route pattern and status class.',
    labelNames: ['route', 'status_class'],
    buckets: HTTP_BUCKETS,
  });
  counter(METRIC.rateLimited, 'Requests refused by a rate limit, by rule.', 'rule', limited);
  new Gauge({
    name: METRIC.backendUp,
    help: 'Whether the backend (the store, Redis) answered its ping at this scrape: 1 or 0.',
    registers,
    async collect() {
      const up = sources !== undefined && (await answers(sources.ping, BACKEND_PING_DEADLINE_MS));
      this.set(up ? 1 : 0);
    },
  });
  counter(
    METRIC.webhookDeliveries,
    'Webhook delivery attempts by outcome: delivered, failed (to be retried), gave_up.',
    'outcome',
    webhooks,
  );

  for (const app of appIds) {
    logins.zero(app);
    created.zero(app);
  }
  for (const outcome of QR_OUTCOMES) outcomes.zero(outcome);
  for (const rule of RATE_RULES) limited.zero(rule);
  for (const outcome of WEBHOOK_OUTCOMES) webhooks.zero(outcome);
  const observePush = pushLatency.series();
  const httpOf = cached((route) => cached((statusClass) => http.series(route, statusClass)));

  return {
    enabled: true,
    contentType: registry.contentType,
    async scrape() {
      const [shared, own] = await Promise.all([processMetrics().metrics(), registry.metrics()]);
      return `${shared.trimEnd()}\n\n${own}`;
    },
    qrCreated: (appId) => created.inc(appId),
    loggedIn: (appId) => logins.inc(appId),
    qrEnded: (outcome) => outcomes.inc(outcome),
    pushEmitted: (startedNs) => observePush(Number(process.hrtime.bigint() - startedNs) / 1e9),
    httpRequest: (route, status, seconds) => httpOf(route)(STATUS_CLASSES[Math.floor(status / 100)] ?? 'other')(seconds),
    rateLimited: (rule) => limited.inc(rule),
    webhookDelivered: (outcome) => webhooks.inc(outcome),
    readFrom(given) {
      sources = given;
    },
  };
}
