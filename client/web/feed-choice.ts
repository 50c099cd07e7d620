/**
 * @module
 * Which source the status feed listens to, as a pure function of what the socket reported:
 * the socket first; polling `check` when realtime is off, when the socket has not subscribed
 * within the grace period, and whenever it is down; polling stops as soon as it subscribes.
 * A hidden tab sends no polling request (the feed checks once when the tab is shown again).
 */

/** Where states come from right now. */
export interface FeedChoice {
  /** The socket's subscription is live: its snapshot and pushes are the feed. */
  subscribed: boolean;
  /** `check` is polled (each period, while the tab is visible). */
  polling: boolean;
}

/** What can change the choice. */
export type FeedNews =
  /** The socket subscribed (first time or after a reconnect) and sent its snapshot. */
  | 'subscribed'
  /** The socket has no live subscription any more (connect error, disconnect, refused). */
  | 'down'
  /** The grace period after opening the socket is over. */
  | 'grace-over';

/** The choice when the feed starts: polling at once only without realtime. */
export function initialChoice(realtime: boolean): FeedChoice {
  return { subscribed: false, polling: !realtime };
}

/** The choice after `news`. */
export function nextChoice(choice: FeedChoice, news: FeedNews): FeedChoice {
  switch (news) {
    case 'subscribed':
      return { subscribed: true, polling: false };
    case 'down':
      return { subscribed: false, polling: true };
    case 'grace-over':
      return choice.subscribed ? choice : { subscribed: false, polling: true };
  }
}

/** Whether a polling tick sends a `check` request now. */
export function pollsNow(choice: FeedChoice, hidden: boolean): boolean {
  return choice.polling && !hidden;
}
