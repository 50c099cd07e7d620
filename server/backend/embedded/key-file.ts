/**
 * @module
 * The embedded store's generated signing key: created once in `DATA_DIR` (mode 0600, written
 * to a temporary file, flushed and renamed, so a crash never leaves half a key), read back on
 * every later start. A key of one's own (`SIGNING_KEY`/`SIGNING_KEY_FILE`) replaces it.
 */
import { chmod, open, readFile, rename, stat } from 'node:fs/promises';
import { type SigningKey, generateSigningKey, signingKeyFromPem } from '../../auth/keys';
import type { Logger } from '../../logger';

export const KEY_FILE_NAME = 'signing-key.pem';

async function writePrivately(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The mode given to open() is reduced by the umask; 0600 is what a private key needs.
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Reads the key at `path`, or generates and writes one there. */
export async function loadOrCreateKeyFile(path: string, logger: Logger): Promise<SigningKey> {
  const advice = 'back it up with the data, or set SIGNING_KEY_FILE to a key of your own';
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const generated = generateSigningKey();
    await writePrivately(path, generated.pem);
    logger.warn(`WARNING: no SIGNING_KEY or SIGNING_KEY_FILE: generated a signing key at ${path} (mode 0600); ${advice}`);
    return generated.key;
  }
  let key: SigningKey;
  try {
    key = signingKeyFromPem(pem);
  } catch (error) {
    throw new Error(`the signing key ${path} is not a usable private key (${(error as Error).message}): restore it from a backup`, {
      cause: error,
    });
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    logger.warn(`WARNING: the signing key ${path} is readable by other users (mode 0${mode.toString(8)}): run chmod 600 ${path}`);
  }
  logger.warn(`WARNING: no SIGNING_KEY or SIGNING_KEY_FILE: using the signing key generated at ${path}; ${advice}`);
  return key;
}
