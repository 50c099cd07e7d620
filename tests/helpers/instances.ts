/**
 * @module
 * Instances of the built server (`dist/server/index.js`, what `npm start` runs) as child
 * processes on fixed 127.0.0.1 ports, so that one can be SIGKILLed and started again on the
 * same port, where a load balancer's upstream still points. Ready means `GET /readyz` answers
 * 200. Output is read line by line and handed to `onLine`; the last lines and every `warn`
 * or `error` line (bounded) are kept for a failure's message. Each is stopped by its own PID.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './redis-server';
import { sleep } from './time';

/**
 * The repository's top folder, found upwards from this file: under jest that is two levels
 * up, in a script bundled into .cache/ (scripts/run-ts.mjs) one. Not tests/helpers/server.ts's
 * ROOT: importing that module loads the whole server into this process.
 */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'deploy', 'nginx.conf'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
})();

export const SERVER_ENTRY = join(REPO_ROOT, 'dist/server/index.js');

/** Lines kept per instance: the tail, and warnings/errors. */
const TAIL_LINES = 200;
const PROBLEM_LINES = 2000;

export interface Instance {
  /** 0-based position in the fleet. */
  index: number;
  port: number;
  url: string;
  /** The running process's PID, null while down. */
  pid(): number | null;
  running(): boolean;
  /** How many times it was started. */
  starts(): number;
  /** SIGKILL: no shutdown code runs (a crash, an OOM kill). Resolves once it has exited. */
  kill9(): Promise<void>;
  /** Starts it (again) on the same port; resolves once `/readyz` answers 200. */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after `graceMs`); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Warn and error lines of every run so far (bounded). */
  problems(): readonly string[];
  /** The last lines of output. */
  tail(): string;
}

export interface InstancesOptions {
  env: Record<string, string>;
  /** Fixed ports (default: free ones picked now). */
  ports?: readonly number[];
  /** Every output line, with the instance's index. */
  onLine?: (index: number, line: string) => void;
  readyTimeoutMs?: number;
}

export interface Instances {
  all: readonly Instance[];
  at(i: number): Instance;
  /** Stops every running instance. */
  stopAll(): Promise<void>;
}

function createInstance(index: number, port: number, options: InstancesOptions): Instance {
  let child: ChildProcessWithoutNullStreams | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  let startCount = 0;
  const tail: string[] = [];
  const problems: string[] = [];

  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    if ((line.includes('"level":"warn"') || line.includes('"level":"error"')) && problems.length < PROBLEM_LINES) problems.push(line);
    options.onLine?.(index, line);
  };
  const reader = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') keep(line);
    };
  };

  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;

  const instance: Instance = {
    index,
    port,
    url: `http://127.0.0.1:${port}`,
    pid: () => (alive() ? (child?.pid ?? null) : null),
    running: alive,
    starts: () => startCount,
    async kill9() {
      if (!alive() || !child) return;
      child.kill('SIGKILL');
      await exited;
    },
    async start() {
      if (alive()) throw new Error(`instance ${index} is already running`);
      if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build first`);
      const proc = spawn(process.execPath, [SERVER_ENTRY], {
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...options.env, PORT: String(port) },
      });
      child = proc;
      startCount += 1;
      exited = once(proc, 'exit');
      proc.stdout.on('data', reader());
      proc.stderr.on('data', reader());
      const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
      for (;;) {
        if (!alive()) throw new Error(`instance ${index} exited before it was ready:\n${instance.tail()}`);
        const ready = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
          (response) => response.status === 200,
          () => false,
        );
        if (ready) return;
        if (Date.now() > deadline) {
          await instance.kill9();
          throw new Error(`instance ${index} was not ready in time:\n${instance.tail()}`);
        }
        await sleep(50);
      }
    },
    async stop(graceMs = 5_000) {
      if (!alive() || !child) return;
      const proc = child;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    problems: () => problems,
    tail: () => tail.join('\n'),
  };
  return instance;
}

/**
 * `count` instances with one environment, started one after another (the first one sets up
 * what they share in the store, e.g. a generated signing key). On a failed start the ones
 * already running are stopped.
 */
export async function startInstances(count: number, options: InstancesOptions): Promise<Instances> {
  const ports = options.ports ?? (await Promise.all(Array.from({ length: count }, () => freePort())));
  const all = Array.from({ length: count }, (_, index) => {
    const port = ports[index];
    if (port === undefined) throw new Error(`no port for instance ${index}`);
    return createInstance(index, port, options);
  });
  const stopAll = async () => {
    await Promise.all(all.map((instance) => instance.stop()));
  };
  try {
    for (const instance of all) await instance.start();
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    all,
    at(i) {
      const instance = all[i];
      if (!instance) throw new Error(`no instance ${i}`);
      return instance;
    },
    stopAll,
  };
}
