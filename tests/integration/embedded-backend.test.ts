/**
 * The durable embedded backend (server/backend/embedded): the Backend contract, and what a
 * folder on disk adds — the folder made on start, a clear error for one that cannot be used,
 * the generated signing key written once with mode 0600 and reused, and one process per folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '../../server/auth/keys';
import { DataDirError, DataDirInUseError, createEmbeddedBackend } from '../../server/backend/embedded';
import { KEY_FILE_NAME } from '../../server/backend/embedded/key-file';
import { lockDataDir, lockPathOf } from '../../server/backend/embedded/dir-lock';
import { createLogger } from '../../server/logger';
import { backendContract } from '../contract/backend.contract';
import { useTempFolders } from '../helpers/temp-folders';

const freshFolder = useTempFolders('qrlogin-data-');

function logCapture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', (line) => lines.push(line)) };
}

const open = (dataDir: string, logger = logCapture().logger) => createEmbeddedBackend({ dataDir, signingKey: null, logger, now: Date.now });

backendContract('embedded (DATA_DIR)', { make: () => open(join(freshFolder(), 'data')) });

describe('DATA_DIR', () => {
  it('is created on start, with the store and a signing key in it', async () => {
    const dir = join(freshFolder(), 'nested', 'data');
    const backend = await open(dir);
    try {
      expect(backend.name).toBe('embedded');
      expect(backend.location).toBe(dir);
      expect(statSync(dir).isDirectory()).toBe(true);
      // Password hashes and tickets are in there: nobody else may read them.
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const file of ['qrlogin.mdb', 'qrlogin.mdb-lock']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    } finally {
      await backend.close();
    }
  });

  it('that cannot be created is a start-up error naming the folder', async () => {
    const file = join(freshFolder(), 'a-file');
    writeFileSync(file, 'not a folder');
    const dir = join(file, 'data');
    const error = await open(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirError);
    expect((error as Error).message).toContain(`DATA_DIR ${dir} cannot be used`);
    expect((error as Error).message).toMatch(/ENOTDIR/);
  });

  // Root may write anywhere: the permission case only means something for another user.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('that is not writable is a start-up error naming the folder', async () => {
    const dir = join(freshFolder(), 'locked');
    const { mkdirSync, chmodSync } = await import('node:fs');
    mkdirSync(dir, { mode: 0o500 });
    chmodSync(dir, 0o500);
    try {
      const error = await open(dir).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DataDirError);
      expect((error as Error).message).toContain(`DATA_DIR ${dir} cannot be used (EACCES)`);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

describe('the generated signing key', () => {
  it('is written once with mode 0600, the warning says where, and it is the same key after a restart', async () => {
    const dir = freshFolder();
    const first = logCapture();
    const before = await open(dir, first.logger);
    const kid = before.keys.current.kid;
    await before.close();
    const path = join(dir, KEY_FILE_NAME);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.lines.join('\n')).toContain(`generated a signing key at ${path} (mode 0600)`);

    const second = logCapture();
    const after = await open(dir, second.logger);
    try {
      expect(after.keys.current.kid).toBe(kid);
      expect(second.lines.join('\n')).toContain(`using the signing key generated at ${path}`);
    } finally {
      await after.close();
    }
  });

  it('is not written when a key is configured', async () => {
    const dir = freshFolder();
    const configured = generateSigningKey().key;
    const backend = await createEmbeddedBackend({ dataDir: dir, signingKey: configured, logger: logCapture().logger, now: Date.now });
    try {
      expect(backend.keys.current.kid).toBe(configured.kid);
      expect(() => statSync(join(dir, KEY_FILE_NAME))).toThrow(/ENOENT/);
    } finally {
      await backend.close();
    }
  });

  it('that is readable by others gets a warning naming the fix', async () => {
    const dir = freshFolder();
    await (await open(dir)).close();
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, KEY_FILE_NAME), 0o644);
    const { lines, logger } = logCapture();
    await (await open(dir, logger)).close();
    expect(lines.join('\n')).toContain(`run chmod 600 ${join(dir, KEY_FILE_NAME)}`);
  });

  it('that is damaged stops the start with an error naming the file', async () => {
    const dir = freshFolder();
    writeFileSync(join(dir, KEY_FILE_NAME), '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    await expect(open(dir)).rejects.toThrow(`the signing key ${join(dir, KEY_FILE_NAME)} is not a usable private key`);
    // The failed start let go of the folder: a repaired one opens.
    rmSync(join(dir, KEY_FILE_NAME));
    await (await open(dir)).close();
  });
});

/**
 * Another process listening on the lock socket `path`: killed with SIGKILL, it leaves the socket
 * file behind, as a crashed qrlogin would.
 */
async function holdLock(path: string): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('ready'))`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await once(holder.stdout as Readable, 'data');
  return holder;
}

describe('one process per DATA_DIR', () => {
  it('a second backend on the same folder gets a clear error naming it and the owner, and the folder is free once closed', async () => {
    const dir = freshFolder();
    const first = await open(dir);
    const error = await open(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as Error).message).toBe(
      `DATA_DIR ${dir} is in use by another qrlogin process (pid ${process.pid}): one instance per DATA_DIR; to run several instances, give them REDIS_URL`,
    );
    // The refused one changed nothing: the first still works.
    await expect(first.ping()).resolves.toBeUndefined();
    await first.close();
    await (await open(dir)).close();
  });

  it('a lock left by a process that was killed (SIGKILL) is taken over', async () => {
    const dir = freshFolder();
    const path = lockPathOf(dir);
    const holder = await holdLock(path);
    try {
      const error = await open(dir).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DataDirInUseError);
    } finally {
      const exited = once(holder, 'exit');
      holder.kill('SIGKILL');
      await exited;
    }
    expect(statSync(path).isSocket()).toBe(true);
    const backend = await open(dir);
    await backend.close();
  });

  it('of four takers racing for a lock a killed process left behind, exactly one gets it', async () => {
    const dir = freshFolder();
    const path = lockPathOf(dir);
    const holder = await holdLock(path);
    const exited = once(holder, 'exit');
    holder.kill('SIGKILL');
    await exited;
    const attempts = await Promise.allSettled(Array.from({ length: 4 }, () => lockDataDir(dir)));
    const held = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    try {
      expect(held).toHaveLength(1);
      for (const attempt of attempts) if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(DataDirInUseError);
    } finally {
      await Promise.all(held.map((lock) => lock.release()));
    }
  });

  it('a client that keeps the lock socket open does not hold up closing', async () => {
    const dir = freshFolder();
    const backend = await open(dir);
    const { connect } = await import('node:net');
    const client = connect({ path: lockPathOf(dir), allowHalfOpen: true });
    await once(client, 'connect');
    try {
      await backend.close();
      expect(() => statSync(lockPathOf(dir))).toThrow(/ENOENT/);
    } finally {
      client.destroy();
    }
  });

  it('a folder too deep for a socket path locks in the temp folder, still one process at a time', async () => {
    const dir = join(freshFolder(), 'x'.repeat(60), 'y'.repeat(60));
    expect(lockPathOf(dir).startsWith(tmpdir())).toBe(true);
    const first = await open(dir);
    try {
      await expect(open(dir)).rejects.toBeInstanceOf(DataDirInUseError);
    } finally {
      await first.close();
    }
  });
});
