/**
 * @module
 * The expiry sweep: every QR that passes its deadline undecided is told once as `qr.expired`
 * (audit line, `qrlogin_qr_outcomes_total{outcome="expired"}`), whether a socket, a poller or
 * nobody watched it. Each instance takes the due deadlines every second (the deadlines of
 * every instance's QRs in Redis: a QR goes to one instance only) and reads each QR. The
 * browser's `qr:expired` push is not this: each instance sends it to its own sockets at the
 * deadline (server/realtime/expiry.ts).
 *
 * A QR is taken before it is told: an instance that dies in between loses that QR's expiry
 * line (at most one batch). Webhooks do not rely on this; their `qr.expired` is a durable job.
 */
import { effectiveStatus } from '../../shared/state-machine';
import { QR_STATUS } from '../../shared/status';
import type { Stores } from '../backend/stores';
import type { Clock } from '../domain/clock';
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
  close(): void;
}

export function startExpirySweep(deps: ExpirySweepDeps): ExpirySweep {
  const { stores, events, now, logger } = deps;

  /** `qr.expired` if the QR passed its deadline undecided; still undecided before it (a clock behind), noted again. */
  async function settle(random: string): Promise<void> {
    const session = await stores.qr.get(random);
    if (!session) return;
    const status = effectiveStatus(session, now());
    if (status === QR_STATUS.EXPIRED) events.emit('qr.expired', { session });
    else if (status === QR_STATUS.PENDING || status === QR_STATUS.SCANNED) await stores.deadlines.add(random, session.expireAt);
  }

  let running: Promise<void> | null = null;
  async function run(): Promise<void> {
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const due = await stores.deadlines.takeDue(BATCH);
      const settled = await Promise.allSettled(due.map(settle));
      const failed = settled.filter((result) => result.status === 'rejected').length;
      if (failed > 0) logger.warn('expiry sweep could not read some QR codes', { failed, of: due.length });
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
    close: () => clearInterval(timer),
  };
}
