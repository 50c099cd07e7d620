/**
 * @module
 * The processes a benchmark measures: each server runs as its own process, so its CPU time and
 * resident memory are read from /proc for it alone, and the load generator's work is never
 * counted as the server's. Every process started here is stopped by its PID.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** A TypeScript entry bundled to CommonJS in .cache/ (node_modules stay external). */
export async function bundle(entry: string): Promise<string> {
  const outfile = join('.cache', 'bench', `${basename(entry, '.ts')}.cjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU time (user + system) of a process so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS;
}

/** Resident set size of a process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** The soft limit of open files of this process (sockets count). */
export function openFilesLimit(): number {
  const match = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match?.[1] ?? 1024);
}

export interface BenchProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  cpuMs(): number;
  rssBytes(): number;
  /** The last 4,000 characters it wrote (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Ready when this URL answers 2xx… */
  readyUrl?: string;
  /** …or when stdout prints a line matching this. */
  readyLine?: RegExp;
  /** With an IPC channel (the idle-socket fleet). Neither ready option: ready at once. */
  ipc?: boolean;
  timeoutMs?: number;
}

const running = new Set<BenchProcess>();

export async function startProcess(options: StartOptions): Promise<BenchProcess> {
  const child = spawn(process.execPath, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: did not start`);
  let output = '';
  let exited = false;
  let stopping = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      // Told at once: a run that fails next (a reset connection) then says why.
      if (!stopping) process.stderr.write(`${options.name} exited by itself (${signal ?? `code ${code}`}):\n${output.slice(-2000)}\n`);
      resolve();
    }),
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const proc: BenchProcess = {
    name: options.name,
    pid,
    child,
    cpuMs: () => cpuMs(pid),
    rssBytes: () => rssBytes(pid),
    output: () => output,
    async stop(graceMs = 15_000) {
      running.delete(proc);
      stopping = true;
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  running.add(proc);

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (!options.readyUrl && !options.readyLine) break;
    if (exited) throw new Error(`${options.name} exited before it was ready:\n${output}`);
    if (options.readyLine?.test(output)) break;
    if (options.readyUrl) {
      const ok = await fetch(options.readyUrl).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
    }
    if (Date.now() > deadline) {
      await proc.stop(1000);
      throw new Error(`${options.name} was not ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return proc;
}

/** Stops every process still running (on the way out, error or not). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop(5000)));
}

/** Waits for memory and timers to settle before a reading. */
export const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The machine's CPU time counters (/proc/stat, all cores), in clock ticks. */
export function machineCpu(): { steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guests are in user/nice).
  return { steal: ticks[7] ?? 0, total: ticks.slice(0, 8).reduce((sum, value) => sum + value, 0) };
}

/** Share of CPU time the hypervisor took from this machine between two readings, %. */
export const stealPercent = (from: ReturnType<typeof machineCpu>, to: ReturnType<typeof machineCpu>): number =>
  ((to.steal - from.steal) / Math.max(1, to.total - from.total)) * 100;
