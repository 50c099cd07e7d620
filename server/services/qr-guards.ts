/**
 * @module
 * What the QR use cases share with their callers: the app guard the transports pass in (the
 * origin policy), and the longest id that can be ours.
 */
import type { AppConfig } from '../domain/app';

/** Runs once the QR's app is known; throws to refuse (e.g. an origin the app does not allow). */
export type AppGuard = (app: AppConfig) => void;

/** Longer strings cannot be ours; they are answered without a store lookup. */
export const MAX_ID_LENGTH = 128;
