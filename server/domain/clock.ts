/**
 * @module
 * The clock every rule reads: epoch milliseconds, injected so tests can move time.
 */

/** Clock in epoch ms. */
export type Clock = () => number;
