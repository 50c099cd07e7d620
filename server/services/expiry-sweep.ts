/**
 * @module
 * The expiry sweep: every QR that passes its deadline undecided is told once as `qr.expired`
 * (audit line, `qrlogin_qr_outcomes_total{outcome="expired"}`), whether a socket, a poller or
 * nobody watched it. Each instance takes the due deadlines every second (the deadlines of
 * every instance's QRs in Redis: a QR goes to one instance only) and reads each QR. The
 * browser's `qr:expired` push is not this: each instance sends it to its own sockets at the
 * deadline (server/realtime/expiry.ts).
 *
 * A QR's expiry is settled `EXPIRY_SETTLE_MS` (5 s) after its deadline (a confirm decided just
 * before it may still be landing), so the record says `qr.expired` about 5 to 6 s after the
 * deadline. A QR is taken before it is told: an instance killed in between loses that QR's
 * expiry line (at most one batch); one whose read fails is noted again and read a second later.
 * Webhooks do not rely on this; their `qr.expired` is a durable job, settled at the same time.
 */
import type { Stores } from '../backend/stores';
import type { Clock } from '../domain/clock';
import { expirySettlesAt, expiryVerdict } from '../domain/qr-session';
import type { Logger } from '../logger';
import type { EventBus } from './events';

/** QRs taken per call; a sweep takes batches until one comes back short. */
const BATCH = 500;
/** At most this many batches per sweep, so that a backlog (every instance was down) is spread over seconds. */
const MAX_BATCHES = 20;

export interface ExpirySweepDeps {
  stores: Pick<Stores, 'qr' | 'deadlines'>;
  events: EventBus;
  now: Clock;
  logger: Logger;
  /** @default 1000 */
  intervalMs?: number;
}

export interface ExpirySweep {
  /** Takes and settles the due deadlines now (the timer's work; tests call it too). */
  sweep(): Promise<void>;
  /** Stops the timer; resolves once a sweep under way has finished (before the backend closes). */
  close(): Promise<void>;
}

/** A QR whose read failed is looked at again this much later. */
const RETRY_MS = 1_000;

export function startExpirySweep(deps: ExpirySweepDeps): ExpirySweep {
  const { stores, events, now, logger } = deps;

  /**
   * `qr.expired` if the QR passed its deadline undecided. One that is not settled yet by this
   * instance's clock (clocks differ a little) is noted again for when it is.
   */
  async function settle(random: string): Promise<void> {
    let session;
    try {
      session = await stores.qr.get(random);
    } catch (error) {
      // The store failed this read: look again shortly rather than lose the QR's expiry.
      await stores.deadlines.add(random, now() + RETRY_MS);
      throw error;
    }
    if (!session) return;
    const verdict = expiryVerdict(session, now());
    if (verdict === 'unsettled') await stores.deadlines.add(random, expirySettlesAt(session));
    else if (verdict === 'expired') events.emit('qr.expired', { session });
  }

  let running: Promise<void> | null = null;
  async function run(): Promise<void> {
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const due = await stores.deadlines.takeDue(BATCH);
      const settled = await Promise.allSettled(due.map(settle));
      const failed = settled.filter((result) => result.status === 'rejected').length;
      if (failed > 0) logger.warn('expiry sweep could not read some QR codes, to be read again', { failed, of: due.length });
      if (due.length < BATCH) return;
    }
  }
  const sweep = (): Promise<void> => {
    // One sweep at a time per instance: a slow store must not pile them up.
    running ??= run()
      .catch((error: unknown) => logger.warn('expiry sweep failed', { error }))
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void sweep(), deps.intervalMs ?? 1000);
  timer.unref();
  return {
    sweep,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
