/**
 * @module
 * The built server (`dist/server/index.js`, what `npm start` runs) as a child process on a free
 * loopback port: for what only a whole process shows — the start-up banner and errors, the
 * folder lock, and state that survives `kill -9`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from './redis-server';
import { ROOT } from './server';
import { sleep } from './time';

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  port?: number;
  /** Run as this user id (root only). */
  uid?: number;
}

function launch(options: SpawnOptions, port: number): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, [join(ROOT, 'dist/server/index.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    ...(options.uid === undefined ? {} : { uid: options.uid }),
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

/**
 * Starts the server and resolves once it listens and has logged where its state lives (the
 * start's last fixed line: the logger may write the lines in separate chunks); rejects with
 * its output if it exits first.
 */
export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const { child, output } = launch(options, port);
  const deadline = Date.now() + 15_000;
  while (!(output().includes('qrlogin listening') && output().includes('"msg":"store: '))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`server did not start:\n${output()}`);
    }
    await sleep(25);
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    port,
    output,
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Runs a server that is expected to refuse to start: its exit code and output. */
export async function failedStart(options: SpawnOptions): Promise<{ code: number | null; output: string }> {
  const { child, output } = launch(options, options.port ?? (await freePort()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output: output() };
}
