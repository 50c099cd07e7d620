/**
 * @module
 * How webhooks are delivered: the retry schedule, the deadline of one attempt, the lease a
 * deliverer holds a job under, and how often each instance looks for due jobs. Tests shorten
 * them through `createApp`'s `webhookDelivery`.
 */

export interface WebhookDeliveryOptions {
  /**
   * The waits before each retry, in ms (each ± 20 %, so the retries of many events spread
   * out); their count + 1 is the number of attempts before giving up.
   */
  retryDelaysMs: readonly number[];
  /** How long one attempt may take (resolving the name, connecting, the answer's status). */
  attemptTimeoutMs: number;
  /**
   * How long a claimed job stays this instance's without a renewal. Held jobs are renewed
   * while the instance lives, so this is how long a job held by an instance that died waits
   * before another instance takes it.
   */
  leaseMs: number;
  /** How often each instance looks for due jobs (± 25 %); a new event is looked for at once. */
  pollIntervalMs: number;
  /** Jobs one instance holds at most (claimed, being delivered or waiting their turn). */
  maxHeld: number;
}

/**
 * The schedule the Standard Webhooks specification suggests: at once, then after 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h and 10 h: 8 attempts over about 27.6 hours, 10 s each at most.
 */
export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = Object.freeze({
  retryDelaysMs: Object.freeze([5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000]),
  attemptTimeoutMs: 10_000,
  leaseMs: 15_000,
  pollIntervalMs: 500,
  maxHeld: 64,
});

/** `ms` ± `spread` (a fraction), never below 0. */
export function jitter(ms: number, spread: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - spread + 2 * spread * random())));
}
