/**
 * @module
 * How the scheduler treated a process and the machine, from /proc: for a process's main thread
 * (Node's event loop, Redis's main thread), the time it ran, the time it waited runnable for a
 * core (`schedstat`), and its context switches (`status`): voluntary ones are the times it went
 * to sleep with nothing to do (an event loop waking once per batch of events), involuntary ones
 * the times a core was taken from it. For the machine, the CPU time of processes (user, nice,
 * system) and of interrupts (irq, softirq: much of loopback networking).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface Sched {
  runMs: number;
  waitMs: number;
  voluntary: number;
  involuntary: number;
}

export const NO_SCHED: Sched = { runMs: 0, waitMs: 0, voluntary: 0, involuntary: 0 };

/** The main thread's scheduler counters of `pid` (zeros once it has gone). */
export function schedOf(pid: number): Sched {
  try {
    const [run = 0, wait = 0] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const count = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return {
      runMs: run / 1e6,
      waitMs: wait / 1e6,
      voluntary: count('voluntary_ctxt_switches'),
      involuntary: count('nonvoluntary_ctxt_switches'),
    };
  } catch {
    return NO_SCHED;
  }
}

export const addSched = (a: Sched, b: Sched): Sched => ({
  runMs: a.runMs + b.runMs,
  waitMs: a.waitMs + b.waitMs,
  voluntary: a.voluntary + b.voluntary,
  involuntary: a.involuntary + b.involuntary,
});

export const subSched = (a: Sched, b: Sched): Sched => ({
  runMs: a.runMs - b.runMs,
  waitMs: a.waitMs - b.waitMs,
  voluntary: a.voluntary - b.voluntary,
  involuntary: a.involuntary - b.involuntary,
});

/** Bytes `pid` has read through system calls so far (/proc/PID/io rchar: sockets included); 0 once it has gone. */
export function readBytesOf(pid: number): number {
  try {
    return Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Every core's CPU time so far: processes (user + nice + system) and interrupts (irq + softirq), ms. */
export function machineCpu(): { processesMs: number; interruptsMs: number } {
  const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = ticks;
  const ms = (t: number) => (t * 1000) / CLOCK_TICKS;
  return { processesMs: ms(user + nice + system), interruptsMs: ms(irq + softirq) };
}
