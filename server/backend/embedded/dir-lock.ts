/**
 * @module
 * One process per `DATA_DIR`. The lock is a Unix socket the owning process listens on: the
 * kernel closes it when the process ends however it ends (SIGKILL, OOM, power loss), so a
 * crashed instance never leaves a lock that needs deleting by hand, and a reused PID (PID 1
 * in a container) cannot fool it. Binding a socket path is atomic, so of two processes that
 * start together one binds and the other finds it answering (it reads the owner's PID from
 * it and refuses to start). A socket file nobody answers on is left over from a crash; taking
 * it over (remove, bind) is done under a takeover folder that only one process can create at a
 * time, so two processes that both find it stale cannot both end up "owning" the folder.
 */
import { createHash } from 'node:crypto';
import { mkdir, rmdir, stat, unlink } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
/** A takeover folder older than this was left by a process killed mid-takeover. */
const STALE_TAKEOVER_MS = 10_000;
const RETRY_MS = 25;
const MAX_ATTEMPTS = 400;

export function lockPathOf(dir: string): string {
  const inside = join(dir, 'qrlogin.lock');
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH) return inside;
  return join(tmpdir(), `qrlogin-${createHash('sha256').update(dir).digest('hex').slice(0, 24)}.lock`);
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

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
    const timer = setTimeout(() => done(text.trim() || 'unknown'), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => done(text.trim() || 'unknown'));
    socket.on('error', () => done(null));
  });
}

/** Creates the takeover folder (true), or finds another process holding it (false). */
async function takeTakeover(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
    const age = await stat(path).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > STALE_TAKEOVER_MS) await rmdir(path).catch(() => undefined);
    return false;
  }
}

const inUse = (dir: string, owner: string) =>
  new DataDirInUseError(
    `DATA_DIR ${dir} is in use by another qrlogin process (pid ${owner}): one instance per DATA_DIR; to run several instances, give them REDIS_URL`,
  );

/** Takes the lock of `dir` (an absolute path) or throws {@link DataDirInUseError}. */
export async function lockDataDir(dir: string): Promise<DirLock> {
  const path = lockPathOf(dir);
  const takeover = `${path}.takeover`;
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.end(`${process.pid}\n`);
  });
  for (let attempt = 0; ; attempt += 1) {
    if (attempt >= MAX_ATTEMPTS) throw inUse(dir, 'unknown, busy taking the folder over');
    try {
      await listen(server, path);
      break;
    } catch (error) {
      if (codeOf(error) !== 'EADDRINUSE') throw error;
    }
    const owner = await ownerOf(path);
    if (owner !== null) throw inUse(dir, owner);
    // Left over from a crash: one process at a time may remove it and bind in its place.
    if (!(await takeTakeover(takeover))) {
      await sleep(RETRY_MS);
      continue;
    }
    try {
      // Another process may have taken it over between our look and our takeover folder.
      const again = await ownerOf(path);
      if (again !== null) throw inUse(dir, again);
      await unlink(path).catch(() => undefined);
      await listen(server, path).catch((error: unknown) => {
        // A process starting just now bound the freed path first: the next round meets it.
        if (codeOf(error) !== 'EADDRINUSE') throw error;
      });
    } finally {
      await rmdir(takeover).catch(() => undefined);
    }
    if (server.listening) break;
  }
  // The lock must not keep the process alive on its own.
  server.unref();
  return {
    path,
    async release() {
      // A client that keeps its end open must not hold the shutdown up.
      for (const socket of connections) socket.destroy();
      // Closing removes the socket file (libuv unlinks the path it bound).
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
