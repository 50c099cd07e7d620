/**
 * @module
 * How the embedded stores write to LMDB in each `DATA_SYNC` mode (see ./stores.ts), and the
 * expiring entries they keep.
 */
import type { Database, RootDatabase } from 'lmdb';

export type SyncMode = 'interval' | 'commit';

/** Runs `action` in one write transaction; resolves with its result once committed. */
export type Write = <T>(action: () => T) => Promise<T>;

/** The writer of `env` in `mode` (see the module's notes). */
export function writerOf(env: RootDatabase, mode: SyncMode): Write {
  if (mode === 'commit') return (action) => env.transaction(action);
  return <T>(action: () => T): Promise<T> => {
    try {
      return Promise.resolve(env.transactionSync(action));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

/** A value and the moment it ends (epoch ms). */
export interface Expiring<T> {
  value: T;
  expireAt: number;
}

export const liveValue = <T>(entry: Expiring<T> | undefined, now: number): T | null => (entry && entry.expireAt > now ? entry.value : null);

/** Removes every entry of `db` whose deadline has passed, in one transaction. */
export async function sweepExpired(write: Write, db: Database<Expiring<unknown>, string>, now: number): Promise<void> {
  await write(() => {
    for (const { key, value } of db.getRange()) if (value.expireAt <= now) db.removeSync(key);
  });
}
