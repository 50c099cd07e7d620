/**
 * @module
 * How a check against the company's identity provider ends, when it does not end with a user:
 * refused (the token is not good: `NOT_LOGGED_IN`, 2020) or undecided (the provider cannot be
 * reached: `UNAVAILABLE`, 503 with `Retry-After`). The token itself is never part of either,
 * nor of a log line; causes stay internal. Also the timings every part of the check shares.
 */
import type { Clock } from '../../domain/clock';
import { AppError } from '../../errors';
import type { LogFields, Logger } from '../../logger';

/** Seconds a phone is told to wait when the provider cannot be reached. */
export const RETRY_AFTER_SECONDS = 5;

/** Seconds of clock difference between the provider and us that are forgiven (`exp`, `nbf`). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** The token is not one the provider vouches for. */
export const refused = (cause?: unknown): AppError => new AppError('NOT_LOGGED_IN', { cause });

/** The provider could not be asked: the phone may try again in `retryAfter` seconds (at least 1). */
export const unavailable = (cause?: unknown, retryAfter: number = RETRY_AFTER_SECONDS): AppError =>
  new AppError('UNAVAILABLE', { retryAfter: Math.max(1, Math.ceil(retryAfter)), cause });

/**
 * Why a request to the provider failed, for a log line: the error and its cause (fetch puts
 * `ECONNREFUSED` or a timeout there). Messages of fetch and jose never hold the token; the
 * logger scrubs credential-shaped strings besides.
 */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const cause = error.cause instanceof Error ? `; ${(error.cause as Error & { code?: unknown }).code ?? error.cause.message}` : '';
  return `${error.name}: ${error.message}${cause}`.slice(0, 300);
}

/** Timings of the checks; the defaults suit production, tests shorten them. */
export interface ExternalTimings {
  /** Deadline of each request to the provider (discovery, keys, introspection). @default 5000 */
  requestTimeoutMs: number;
  /** Keys are fetched again when older than this (while the provider answers). @default 600000 */
  keysMaxAgeMs: number;
  /** A token with an unknown `kid` fetches the keys again at most this often. @default 30000 */
  keysCooldownMs: number;
  /** After a failed fetch of the discovery document or the keys, no new try for this long. @default 5000 */
  retryAfterFailureMs: number;
  /** A token found good is remembered at most this long (never past its `exp`). @default 60000 */
  positiveCacheMs: number;
  /** A token introspection refused is remembered this long. @default 5000 */
  negativeCacheMs: number;
}

export const DEFAULT_TIMINGS: ExternalTimings = Object.freeze({
  requestTimeoutMs: 5_000,
  keysMaxAgeMs: 600_000,
  keysCooldownMs: 30_000,
  retryAfterFailureMs: 5_000,
  positiveCacheMs: 60_000,
  negativeCacheMs: 5_000,
});

/** Repeated trouble (an outage, a misconfiguration) is logged once a minute per message, not per request. */
const LOG_EVERY_MS = 60_000;

export type ThrottledLog = (level: 'warn' | 'error', message: string, fields?: LogFields) => void;

export function throttledLog(logger: Logger, now: Clock): ThrottledLog {
  const last = new Map<string, number>();
  return (level, message, fields) => {
    const at = now();
    if (at - (last.get(message) ?? -Infinity) < LOG_EVERY_MS) return;
    last.set(message, at);
    logger[level](message, fields);
  };
}
