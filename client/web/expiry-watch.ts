/**
 * @module
 * The widget's local expiry clock. It keeps a deadline on the local clock, measured from the
 * server's own numbers (the QR's lifetime, then each snapshot's `expireAt − serverNow`), so a
 * wrong local clock does not matter. Once the deadline has passed (plus a margin), or the
 * server said the QR is gone, it asks `check` for the truth: a confirmation may have landed
 * just in time. It reports expired when `check` agrees, when `check` cannot be asked, or when
 * `check` still says "open" after a few more tries.
 *
 * The owner stops the watch as soon as the QR is done (any final state); a stopped watch sets
 * no timer and reports nothing.
 */
import type { CheckData, GeneData } from '../../shared';
import { errorCode, isGone, isTransient } from '../common/errors';
import { systemClock, type Clock } from './clock';

/** After the deadline, wait this much for clocks to agree before asking `check`. */
export const EXPIRY_MARGIN_MS = 250;
/** If `check` still says "open" past the deadline, ask again this many times, then expire. */
export const EXPIRY_RECHECKS = 5;
/** Pause between those tries. */
export const RECHECK_DELAY_MS = 1000;
/** A QR whose lifetime cannot be read is assumed to live this long. */
const DEFAULT_LIFETIME_MS = 120_000;
/** `setTimeout` cannot wait longer than this. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** What the watch tells its owner. */
export interface ExpiryListener {
  /** The local deadline (ms) changed; `null` when unknown. For the countdown on screen. */
  onDeadline(deadline: number | null): void;
  /** An answer of `check`, to apply like any other report. */
  onCheck(data: CheckData): void;
  /** Show the QR as expired. */
  onExpired(): void;
  /** `check` failed in a way that is neither "try later" nor "gone". */
  onFailed(error: unknown): void;
}

/** A QR's lifetime in ms, measured on the server's clock (immune to local clock skew). */
export function lifetimeMs(gene: Pick<GeneData, 'expiresIn' | 'expireAt' | 'createdAt'>): number {
  if (Number.isFinite(gene.expiresIn) && gene.expiresIn > 0) return gene.expiresIn * 1000;
  const span = Date.parse(gene.expireAt) - Date.parse(gene.createdAt);
  return Number.isFinite(span) && span > 0 ? span : DEFAULT_LIFETIME_MS;
}

/** The expiry of one QR; see the module comment. */
export class ExpiryWatch {
  /** Local time (ms) at which the server considers the QR expired. */
  private deadline = Infinity;
  private rechecks = 0;
  private timer: unknown;
  private stopped = false;

  constructor(
    /** Asks the server for the QR's state. */
    private readonly check: () => Promise<CheckData>,
    private readonly listener: ExpiryListener,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The QR was just created: its deadline is its lifetime from now. */
  start(gene: Pick<GeneData, 'expiresIn' | 'expireAt' | 'createdAt'>): void {
    this.setDeadline(this.clock.now() + lifetimeMs(gene));
  }

  /** A snapshot arrived: the time left is `expireAt − serverNow`, both on the server's clock. */
  sync(server: { expireAt: string; serverNow: string }): void {
    const remaining = Date.parse(server.expireAt) - Date.parse(server.serverNow);
    if (Number.isFinite(remaining)) this.setDeadline(this.clock.now() + remaining);
  }

  /** The server said the QR is gone: confirm with `check` now, whatever the deadline. */
  confirmNow(): void {
    void this.confirm(true);
  }

  /** Clears the timer; nothing is reported afterwards. */
  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  private setDeadline(deadline: number): void {
    if (this.stopped) return;
    this.deadline = deadline;
    this.listener.onDeadline(Number.isFinite(deadline) ? deadline : null);
    this.schedule();
  }

  private schedule(): void {
    this.clock.clearTimeout(this.timer);
    if (!Number.isFinite(this.deadline)) return;
    const delay = Math.min(Math.max(this.deadline - this.clock.now() + EXPIRY_MARGIN_MS, 0), MAX_TIMEOUT_MS);
    this.timer = this.clock.setTimeout(() => void this.confirm(false), delay);
  }

  private async confirm(gone: boolean): Promise<void> {
    if (this.stopped) return;
    if (!gone && this.clock.now() < this.deadline) {
      this.schedule(); // the deadline moved (a snapshot arrived); wait for it
      return;
    }
    try {
      const data = await this.check();
      if (this.stopped) return;
      this.listener.onCheck(data);
      if (this.stopped) return; // that answer ended the QR
      if (this.rechecks++ < EXPIRY_RECHECKS) {
        // The server's clock has not reached expireAt yet: ask again shortly.
        this.clock.clearTimeout(this.timer);
        this.timer = this.clock.setTimeout(() => void this.confirm(gone), RECHECK_DELAY_MS);
        return;
      }
    } catch (error) {
      if (this.stopped) return;
      const code = errorCode(error);
      if (!isTransient(code) && !isGone(code)) {
        this.listener.onFailed(error);
        return;
      }
    }
    this.listener.onExpired();
  }
}
