/**
 * @module
 * One process per `DATA_DIR`. The lock is a Unix socket the owning process listens on: the
 * kernel closes it when the process ends however it ends (SIGKILL, OOM, power loss), so a
 * crashed instance never leaves a lock that needs deleting by hand, and a reused PID (PID 1
 * in a container) cannot fool it. A second process finds the socket answering, reads the
 * owner's PID from it, and refuses to start; a socket file nobody answers on is left over from
 * a crash and is replaced.
 */
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DirLock {
  /** Where the lock socket is. */
  readonly path: string;
  release(): Promise<void>;
}

/** Unix socket paths are limited to about 104–108 bytes; a deeper DATA_DIR locks in the temp folder. */
const MAX_SOCKET_PATH = 100;

export function lockPathOf(dir: string): string {
  const inside = join(dir, 'qrlogin.lock');
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH) return inside;
  return join(tmpdir(), `qrlogin-${createHash('sha256').update(dir).digest('hex').slice(0, 24)}.lock`);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The PID the owner answers with, or null when nobody answers (a crashed owner's leftover). */
function ownerOf(path: string, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(path);
    const done = (owner: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(owner);
    };
    // A live owner that does not answer in time is still an owner.
    const timer = setTimeout(() => done(text || 'unknown'), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => done(text.trim() || 'unknown'));
    socket.on('error', () => done(null));
  });
}

/** Takes the lock of `dir` (an absolute path) or throws {@link DataDirInUseError}. */
export async function lockDataDir(dir: string): Promise<DirLock> {
  const path = lockPathOf(dir);
  const server = createServer((socket) => socket.end(`${process.pid}\n`));
  try {
    await listen(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const owner = await ownerOf(path);
    if (owner !== null) {
      throw new DataDirInUseError(
        `DATA_DIR ${dir} is in use by another qrlogin process (pid ${owner}): one instance per DATA_DIR; to run several instances, give them REDIS_URL`,
      );
    }
    await unlink(path).catch(() => undefined);
    await listen(server, path);
  }
  // The lock must not keep the process alive on its own.
  server.unref();
  return {
    path,
    async release() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch(() => undefined);
    },
  };
}
