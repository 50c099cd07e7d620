/**
 * @module
 * Deadlines on Redis calls: a stalled Redis must give a clear answer in time, never a hang.
 */
import { AppError } from '../../errors';

/** A store call that has no answer within this fails as unavailable (a stalled Redis). */
export const REDIS_DEADLINE_MS = 2_000;

/** `promise`, or a rejection once `ms` have passed; a late outcome is dropped quietly. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what = 'answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline])
    .catch((error: unknown) => {
      // The call may still settle later; its outcome is not wanted any more.
      promise.catch(() => undefined);
      throw error;
    })
    .finally(() => clearTimeout(timer));
}

/**
 * Any failure to talk to Redis (down, stalled past the deadline, reconnecting) becomes
 * `UNAVAILABLE` (503, retry after a second): the client gets a clear answer within the
 * deadline, never a hang or a 500. A write that timed out may still have been applied: every
 * write is version-checked, so a retry sees the truth.
 */
export function guarded<T>(command: Promise<T>, ms = REDIS_DEADLINE_MS): Promise<T> {
  return withDeadline(command, ms, 'answer from Redis').catch((error: unknown) => {
    throw new AppError('UNAVAILABLE', { cause: error, retryAfter: 1 });
  });
}
