/**
 * @module
 * The status feed of one QR: the Socket.IO subscription and `check` polling merged into one
 * stream of incoming states. Which of them runs follows `feed-choice.ts` (socket first,
 * polling after the grace period or while the socket is down); a hidden tab sends no polling
 * request, and when the tab is shown again the feed asks `check` at once (the socket may have
 * slept with the tab), so the page is right the moment the user looks.
 *
 * The feed decides nothing about the QR: its owner applies what it hears, and stops the feed
 * when the QR is done. A stopped feed closes the socket, clears its timers and reports nothing.
 */
import type { CheckData } from '../../shared';
import { systemClock, type Clock } from './clock';
import { initialChoice, nextChoice, pollsNow, type FeedChoice, type FeedNews } from './feed-choice';
import type { RealtimeListener } from './realtime';
import type { IncomingState } from './scan-state';

/** Before the socket has subscribed once, start polling after this long anyway. */
export const SOCKET_GRACE_MS = 3000;

/** An open socket subscription (`RealtimeSubscription`). */
export interface SocketLink {
  close(): void;
}

/** Whether the page is on screen, and word when it comes back. */
export interface PageVisibility {
  hidden(): boolean;
  /** Calls `shown` each time the page becomes visible; returns the function that stops it. */
  onShown(shown: () => void): () => void;
}

/** The document's `visibilityState`. */
export const documentVisibility: PageVisibility = {
  hidden: () => document.visibilityState === 'hidden',
  onShown(shown) {
    const listener = () => {
      if (document.visibilityState === 'visible') shown();
    };
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

/** Where the feed's states come from. */
export interface StatusFeedSources {
  /** Asks `check` once. */
  check(): Promise<CheckData>;
  /** Opens the socket subscription; `null` when realtime is off (polling only). */
  connect: ((listener: RealtimeListener) => SocketLink) | null;
  /** Polling period in ms. */
  intervalMs: number;
  /** Default {@link SOCKET_GRACE_MS}. */
  graceMs?: number;
  /** Default the page's clock. */
  clock?: Clock;
  /** Default the document's. */
  visibility?: PageVisibility;
}

/** What the feed reports. */
export interface StatusFeedListener {
  /**
   * A state from the socket (snapshot or push) or from `check`. A snapshot also carries the
   * server's clock (`expireAt`, `serverNow`).
   */
  onState(state: IncomingState, server?: { expireAt: string; serverNow: string }): void;
  /** `check` failed; the feed goes on polling until it is stopped. */
  onCheckFailed(error: unknown): void;
  /** The server refused the socket's subscription with this code. */
  onRefused(code: number): void;
}

/** One QR's merged feed; {@link start} it once, {@link stop} it for good. */
export class StatusFeed {
  private readonly clock: Clock;
  private readonly visibility: PageVisibility;
  private choice: FeedChoice;
  private socket: SocketLink | null = null;
  private pollTimer: unknown;
  private graceTimer: unknown;
  private stopWatchingPage: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly sources: StatusFeedSources,
    private readonly listener: StatusFeedListener,
  ) {
    this.clock = sources.clock ?? systemClock;
    this.visibility = sources.visibility ?? documentVisibility;
    this.choice = initialChoice(sources.connect !== null);
  }

  /** Opens the socket (or starts polling) and follows the page's visibility. */
  start(): void {
    if (this.stopped) return;
    this.stopWatchingPage = this.visibility.onShown(() => void this.ask());
    const { connect } = this.sources;
    if (connect) {
      this.socket = connect({
        onSnapshot: (snapshot) => {
          this.hear('subscribed');
          if (!this.stopped) this.listener.onState(snapshot, snapshot);
        },
        onPush: (event) => {
          if (!this.stopped) this.listener.onState(event);
        },
        onDown: () => this.hear('down'),
        onRefused: (error) => {
          if (!this.stopped) this.listener.onRefused(error.code);
        },
      });
      this.graceTimer = this.clock.setTimeout(() => this.hear('grace-over'), this.sources.graceMs ?? SOCKET_GRACE_MS);
    }
    if (this.choice.polling) this.schedulePoll();
  }

  /** Closes the socket, clears every timer, forgets the page. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.socket?.close();
    this.socket = null;
    this.clock.clearTimeout(this.pollTimer);
    this.clock.clearTimeout(this.graceTimer);
    this.stopWatchingPage?.();
    this.stopWatchingPage = null;
  }

  private hear(news: FeedNews): void {
    if (this.stopped) return;
    const before = this.choice;
    this.choice = nextChoice(before, news);
    if (this.choice.subscribed) this.clock.clearTimeout(this.graceTimer);
    if (this.choice.polling && !before.polling) this.schedulePoll();
    if (!this.choice.polling && before.polling) this.clock.clearTimeout(this.pollTimer);
  }

  private schedulePoll(): void {
    this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = this.clock.setTimeout(() => void this.poll(), this.sources.intervalMs);
  }

  private async poll(): Promise<void> {
    if (this.stopped || !this.choice.polling) return;
    if (pollsNow(this.choice, this.visibility.hidden())) await this.ask();
    if (!this.stopped && this.choice.polling) this.schedulePoll();
  }

  /** One `check`, reported. */
  private async ask(): Promise<void> {
    if (this.stopped) return;
    try {
      const data = await this.sources.check();
      if (!this.stopped) this.listener.onState(data);
    } catch (error) {
      if (!this.stopped) this.listener.onCheckFailed(error);
    }
  }
}
