/**
 * @module
 * The reconnect storm of a killed instance: every browser whose socket drops within
 * {@link STORM_WINDOW_MS} of the kill was on it ("moved"). For each, the time from the kill
 * until it is connected again (to a survivor or the restarted instance) and its `qr:subscribe`
 * acknowledged; the storm is over when every moved browser is (or was closed, its login done).
 * Refusals, ack timeouts and connect errors are the recorder's, counted from the kill to the
 * end of the storm.
 */
import type { Browser } from './browsers';
import { type Recorder, type RecorderCounts, diff, total } from './recorder';

/** Drops this long after the kill are the kill's. */
export const STORM_WINDOW_MS = 2_000;

export interface StormResult {
  /** Index of the killed instance, and its sockets just before. */
  instance: number;
  socketsBefore: number;
  /** Browsers whose socket dropped with the kill. */
  moved: number;
  /** …of which waiting browsers (the others were logging in). */
  movedWaiting: number;
  resubscribed: number;
  /** Moved login browsers closed (login done) before re-subscribing. */
  closedFirst: number;
  /** Moved browsers neither re-subscribed nor closed when the storm was judged. */
  stranded: number;
  /** From the kill until the last moved browser was subscribed again, ms (null: not all were). */
  allResubscribedMs: number | null;
  /** Per-browser kill → re-subscribed, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Per-browser kill → connected again (before the subscribe's ack), ms. */
  connectedP50Ms: number;
  connectedP99Ms: number;
  /** When the killed instance was started again, ms after the kill. */
  restartedAfterMs: number | null;
  refused: number;
  ackTimeouts: number;
  connectTimeouts: number;
  connectErrors: Record<string, number>;
  /** Subscribe acks with 503 meanwhile (retried). */
  unavailable: number;
}

export class StormTracker {
  private killedAt = 0;
  private readonly moved = new Map<Browser, number | null>();
  /** Kill → the connection that re-subscribed, per moved browser. */
  private readonly connected: number[] = [];
  private readonly waiting = new WeakSet<Browser>();
  private before: RecorderCounts | null = null;
  private after: RecorderCounts | null = null;
  private restartedAt: number | null = null;
  private endedAt: number | null = null;
  private isWaiting: (browser: Browser) => boolean = () => false;
  private info = { instance: -1, socketsBefore: 0 };

  constructor(private readonly recorder: Recorder) {}

  /** Call just before the kill. `isWaiting` tells waiting browsers from login ones. */
  begin(instance: number, socketsBefore: number, isWaiting: (browser: Browser) => boolean): void {
    this.killedAt = Date.now();
    this.before = this.recorder.counts();
    this.info = { instance, socketsBefore };
    this.isWaiting = isWaiting;
  }

  restarted(): void {
    this.restartedAt = Date.now();
  }

  onDisconnect(browser: Browser): void {
    if (this.before === null || this.endedAt !== null) return;
    if (Date.now() - this.killedAt > STORM_WINDOW_MS || this.moved.has(browser)) return;
    this.moved.set(browser, null);
    if (this.isWaiting(browser)) this.waiting.add(browser);
  }

  onSubscribed(browser: Browser): void {
    if (this.moved.get(browser) !== null || browser.lastDisconnectAt < this.killedAt) return;
    this.moved.set(browser, Date.now() - this.killedAt);
    this.connected.push(browser.lastConnectAt - this.killedAt);
  }

  /** The browsers that moved (the final sentinel checks them first). */
  movedBrowsers(): Browser[] {
    return [...this.moved.keys()];
  }

  /** Every moved browser is subscribed again or closed (and the drop window has passed). */
  done(): boolean {
    if (this.before === null || Date.now() - this.killedAt < STORM_WINDOW_MS) return false;
    return [...this.moved].every(([browser, ms]) => ms !== null || browser.isClosed());
  }

  /** Freezes the counts (call once done, or when giving up). */
  end(): void {
    if (this.endedAt !== null) return;
    this.endedAt = Date.now();
    this.after = this.recorder.counts();
  }

  result(): StormResult {
    const after = this.after ?? this.recorder.counts();
    const before = this.before ?? after;
    const times = [...this.moved.values()].filter((ms): ms is number => ms !== null).sort((a, b) => a - b);
    const closedFirst = [...this.moved].filter(([browser, ms]) => ms === null && browser.isClosed()).length;
    const stranded = [...this.moved].filter(([browser, ms]) => ms === null && !browser.isClosed()).length;
    const connectErrors = diff(before.connectErrors, after.connectErrors);
    const connected = [...this.connected].sort((a, b) => a - b);
    const pick = (p: number, sorted: readonly number[] = times) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
    return {
      ...this.info,
      moved: this.moved.size,
      movedWaiting: [...this.moved.keys()].filter((browser) => this.waiting.has(browser)).length,
      resubscribed: times.length,
      closedFirst,
      stranded,
      allResubscribedMs: stranded === 0 ? (times[times.length - 1] ?? 0) : null,
      p50Ms: pick(50),
      p99Ms: pick(99),
      connectedP50Ms: pick(50, connected),
      connectedP99Ms: pick(99, connected),
      restartedAfterMs: this.restartedAt === null ? null : this.restartedAt - this.killedAt,
      refused: total(diff(before.refused, after.refused)),
      ackTimeouts: after.ackTimeouts - before.ackTimeouts,
      connectTimeouts: connectErrors.timeout ?? 0,
      connectErrors,
      unavailable: (after.retries['qr:subscribe unavailable'] ?? 0) - (before.retries['qr:subscribe unavailable'] ?? 0),
    };
  }
}
