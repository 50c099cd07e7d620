/**
 * @module
 * The embedded default: durable stores under `DATA_DIR` (LMDB), a signing key kept there too,
 * rate-limit counters in this process, and a lock so that one process at a time uses the
 * folder. One instance; for several, use the Redis backend.
 */
import { constants } from 'node:fs';
import { access, chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type SigningKey, createKeySet } from '../../auth/keys';
import type { Clock } from '../../domain/clock';
import type { Logger } from '../../logger';
import { createMemoryCounters } from '../memory/counters';
import { MemoryWebhookQueue } from '../memory/webhook-queue';
import type { Backend } from '../types';
import { lockDataDir } from './dir-lock';
import { KEY_FILE_NAME, loadOrCreateKeyFile } from './key-file';
import { type SyncMode, createEmbeddedStores } from './stores';

export { DataDirInUseError } from './dir-lock';

/** The LMDB file in `DATA_DIR` (LMDB adds `-lock` beside it). */
export const DATABASE_FILE = 'qrlogin.mdb';

export interface EmbeddedBackendOptions {
  /** `DATA_DIR`; relative paths are taken from the working directory. */
  dataDir: string;
  /** `DATA_SYNC` (./stores.ts). @default 'interval' */
  sync?: SyncMode;
  /** A configured key; null generates one into `DATA_DIR` once and reuses it after. */
  signingKey: SigningKey | null;
  logger: Logger;
  now: Clock;
}

/** A start-up error that names the folder and what to do; never a stack trace. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

async function prepare(dir: string): Promise<void> {
  try {
    // Password hashes, tickets and (maybe) the signing key live here: the owner's alone.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new DataDirError(
      `DATA_DIR ${dir} cannot be used (${code}): create it, or give the user running qrlogin write access to it, or set DATA_DIR to a writable folder`,
      { cause: error },
    );
  }
}

export async function createEmbeddedBackend(options: EmbeddedBackendOptions): Promise<Backend> {
  const dir = resolve(options.dataDir);
  await prepare(dir);
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    options.logger.warn(`WARNING: DATA_DIR ${dir} is open to other users (mode 0${mode.toString(8)}): run chmod 700 ${dir}`);
  }
  const lock = await lockDataDir(dir);
  try {
    const key = options.signingKey ?? (await loadOrCreateKeyFile(join(dir, KEY_FILE_NAME), options.logger));
    const stores = createEmbeddedStores(join(dir, DATABASE_FILE), options.now, {
      sync: options.sync ?? 'interval',
      report: (message, error) => options.logger.error(message, { dataDir: dir, ...(error === undefined ? {} : { error }) }),
    });
    // LMDB creates its files with the umask's mode (often 0644): make them private.
    await Promise.all([DATABASE_FILE, `${DATABASE_FILE}-lock`].map((name) => chmod(join(dir, name), 0o600).catch(() => undefined)));
    const counters = createMemoryCounters(options.now);
    return {
      name: 'embedded',
      location: dir,
      stores,
      keys: createKeySet(key),
      counters,
      // Pending webhook deliveries stay in this process: a restart drops them (README "Webhooks").
      webhookQueue: new MemoryWebhookQueue(options.now),
      ping: () => stores.ping(),
      onResume: () => () => undefined,
      sharedDemoSecret: async (candidate: string) => candidate,
      close: async () => {
        counters.close();
        try {
          await stores.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
