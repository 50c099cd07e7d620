/**
 * @module
 * The loop that takes due jobs from the webhook queue on each instance: every poll interval
 * (jittered; at once after an event is queued here) it renews the leases of the jobs it holds
 * and claims as many due jobs as it has room for. Jobs of one app are handled one after the
 * other in the order they were claimed (earliest due first), jobs of different apps side by
 * side, so a receiver hears of one instance's events in order. One app holds at most an eighth
 * of the room (`maxHeld`): a claim skips the jobs of an app at its share, which stay queued at
 * their due time (still in order), so a receiver that hangs delays its own app's events, not
 * those of the other apps (up to seven such apps at once). `close()` stops the loop and
 * waits for the jobs held: an attempt in flight is aborted and, like the jobs still waiting
 * their turn, given back to the queue (due at once, the attempt not counted).
 */
import type { ClaimedJob, WebhookQueue } from '../backend/webhook-queue';
import type { Clock } from '../domain/clock';
import type { Logger } from '../logger';
import { type WebhookDeliveryOptions, jitter } from './options';

/** What a job's handler is told besides the job. */
export interface JobContext {
  /** Aborted when the deliverer closes: give the job back. */
  closing: AbortSignal;
  /** Whether this instance lost the job's lease (another instance may have it): leave it. */
  lost(): boolean;
}

export interface DelivererDeps {
  queue: WebhookQueue;
  logger: Logger;
  now: Clock;
  options: WebhookDeliveryOptions;
  /** Delivers one claimed job and settles it in the queue (complete, retry or release). */
  handle(job: ClaimedJob, context: JobContext): Promise<void>;
  /** Jobs with the same key are handled one at a time, in claim order (the app id). */
  orderKey(job: ClaimedJob): string;
}

export interface Deliverer {
  /** Look for due jobs now (an event was just queued). */
  kick(): void;
  close(): Promise<void>;
}

export function startDeliverer(deps: DelivererDeps): Deliverer {
  const { queue, logger, options } = deps;
  const held = new Map<string, { job: ClaimedJob; lost: boolean }>();
  const chains = new Map<string, Promise<void>>();
  /** Held jobs by order key (app): a claim's `held`, each key at most `perGroup`. */
  const heldByKey = new Map<string, number>();
  const perGroup = Math.max(1, Math.floor(options.maxHeld / 8));
  const window = Math.max(256, options.maxHeld * 8);
  const closing = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let lastRenewal = deps.now();
  let unreachable = false;

  const schedule = (ms: number) => {
    if (closing.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };

  /** Keeps the held jobs this instance's: a third of a lease between renewals. */
  async function renew(): Promise<void> {
    const now = deps.now();
    if (held.size === 0 || now - lastRenewal < options.leaseMs / 3) return;
    lastRenewal = now;
    const kept = new Set(
      await queue.renew(
        [...held.values()].map(({ job }) => job),
        options.leaseMs,
      ),
    );
    for (const [id, entry] of held) if (!kept.has(id)) entry.lost = true;
  }

  function start(job: ClaimedJob): void {
    const entry = { job, lost: false };
    held.set(job.id, entry);
    if (held.size === 1) lastRenewal = deps.now();
    const key = deps.orderKey(job);
    heldByKey.set(key, (heldByKey.get(key) ?? 0) + 1);
    const run = async () => {
      try {
        await deps.handle(job, { closing: closing.signal, lost: () => entry.lost });
      } catch (error) {
        // The queue or the store failed: the job stays claimed until its lease ends, then is taken again.
        logger.warn('webhook delivery interrupted, will be taken up again', { webhookId: job.id, attempt: job.attempt, error });
      } finally {
        held.delete(job.id);
        const left = (heldByKey.get(key) ?? 1) - 1;
        if (left > 0) heldByKey.set(key, left);
        else heldByKey.delete(key);
      }
    };
    const next = (chains.get(key) ?? Promise.resolve()).then(run);
    chains.set(key, next);
    void next.then(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  }

  async function claimDue(): Promise<boolean> {
    try {
      await renew();
      const room = options.maxHeld - held.size;
      const jobs = room > 0 ? await queue.claim(room, options.leaseMs, { perGroup, held: heldByKey, window }) : [];
      for (const job of jobs) start(job);
      if (unreachable) logger.info('webhook queue reachable again');
      unreachable = false;
      return room > 0 && jobs.length === room;
    } catch (error) {
      if (!unreachable) logger.warn('webhook queue unreachable, retrying', { error });
      unreachable = true;
      return false;
    }
  }

  async function tick(): Promise<void> {
    if (closing.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    let full = false;
    running = claimDue().then((filled) => {
      full = filled;
    });
    await running;
    running = null;
    // More may be due (the claim was full) or an event came meanwhile: look again at once.
    const soon = again || full;
    again = false;
    schedule(soon ? 0 : jitter(options.pollIntervalMs, 0.25));
  }

  schedule(jitter(options.pollIntervalMs, 0.25));

  return {
    kick() {
      if (running) again = true;
      else schedule(0);
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      clearTimeout(timer);
      await running;
      await Promise.allSettled([...chains.values()]);
    },
  };
}
