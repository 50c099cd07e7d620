/**
 * @module
 * A fixed share of one core for one process, through the kernel's CFS bandwidth control: a cgroup
 * of its own whose quota is `share` of every period (cgroup v1's `cpu` controller at
 * /sys/fs/cgroup/cpu, or cgroup v2's `cpu.max`). The process may run `share × period` per
 * period, and is throttled for the rest of it. This gives every instance of a scaling run the same
 * CPU however many run, which a machine with two cores cannot give them otherwise. Needs root (the
 * cgroups are made at the hierarchy's root); `cpuBudgetSupport()` says why not when it cannot.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

type Flavour = { kind: 'v1' | 'v2'; root: string };

/** Cgroups made and not yet removed (removeAllBudgets() on a signal). */
const live = new Set<string>();

function flavour(): Flavour | undefined {
  if (existsSync(join(V1, 'cpu.cfs_quota_us'))) return { kind: 'v1', root: V1 };
  const controllers = join(V2, 'cgroup.controllers');
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu')) return { kind: 'v2', root: V2 };
  return undefined;
}

/** Undefined when budgets can be set here; otherwise why not (a sentence). */
export function cpuBudgetSupport(): string | undefined {
  const f = flavour();
  if (!f) return 'no cgroup cpu controller is mounted (/sys/fs/cgroup/cpu or cgroup v2 with cpu)';
  const probe = join(f.root, `qrlogin-bench-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return undefined;
  } catch (error) {
    return `cannot create a cgroup under ${f.root} (${(error as NodeJS.ErrnoException).code ?? 'error'}): run as root`;
  }
}

export interface ThrottleStats {
  /** Periods in which the process was runnable, and those it spent throttled at some point. */
  periods: number;
  throttled: number;
  throttledMs: number;
}

export interface CpuBudget {
  readonly share: number;
  readonly periodUs: number;
  /** Moves a process (all of its threads) into the budget. */
  add(pid: number): void;
  stats(): ThrottleStats;
  /** Removes the cgroup; its processes must have exited (or left it) first. */
  remove(): void;
}

function parseStat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value) out[key] = Number(value);
  }
  return out;
}

/** A cgroup limited to `share` of one core (0 < share ≤ 1), throttled per `periodUs`. */
export function cpuBudget(name: string, share: number, periodUs = 10_000): CpuBudget {
  if (!(share > 0 && share <= 1)) throw new Error(`share ${share} must be in (0, 1]`);
  const f = flavour();
  if (!f) throw new Error(cpuBudgetSupport());
  const dir = join(f.root, `qrlogin-bench-${process.pid}-${name}`);
  mkdirSync(dir);
  live.add(dir);
  const quotaUs = Math.round(share * periodUs);
  try {
    if (f.kind === 'v1') {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    } else {
      // cgroup v2 gives a child cpu.max only when the root delegates the cpu controller.
      writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
    }
  } catch (error) {
    rmdirSync(dir);
    live.delete(dir);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`cannot set a CPU quota in ${dir} (${code}): on cgroup v2, enable +cpu in cgroup.subtree_control`, {
      cause: error,
    });
  }
  return {
    share,
    periodUs,
    add: (pid) => writeFileSync(join(dir, 'cgroup.procs'), String(pid)),
    stats: () => {
      const s = parseStat(readFileSync(join(dir, 'cpu.stat'), 'utf8'));
      const throttledMs = f.kind === 'v1' ? (s.throttled_time ?? 0) / 1e6 : (s.throttled_usec ?? 0) / 1e3;
      return { periods: s.nr_periods ?? 0, throttled: s.nr_throttled ?? 0, throttledMs };
    },
    remove: () => {
      rmdirSync(dir);
      live.delete(dir);
    },
  };
}

/** Removes every cgroup still made (after their processes have exited); what cannot be removed is left. */
export function removeAllBudgets(): void {
  for (const dir of live) {
    try {
      rmdirSync(dir);
      live.delete(dir);
    } catch {
      // Still has a process: left for the operator (its name begins with qrlogin-bench-).
    }
  }
}

export const throttleDelta = (a: ThrottleStats, b: ThrottleStats): ThrottleStats => ({
  periods: b.periods - a.periods,
  throttled: b.throttled - a.throttled,
  throttledMs: b.throttledMs - a.throttledMs,
});
