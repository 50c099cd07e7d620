/**
 * @module
 * The time the widget's parts read and the timers they set, behind one small seam so that
 * the status feed and the expiry watch can run on a test's clock.
 */

/** What a timer-setting part needs of time. Handles are opaque: give back what you got. */
export interface Clock {
  /** Local time in ms (`Date.now()`). */
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The page's clock and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
};
