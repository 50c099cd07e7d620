/**
 * @module
 * A scaling run (bench/scaling.ts) as data and as Markdown: the machine, the load average, the
 * scaling curve, the adapter's fan-out, Redis's commands per login, light users, the adapter's
 * pushes, the waiting browsers, the background, the expiry sweep, the Cluster's roles, and the
 * capacity model (./capacity-model.ts). The tables are ./scaling-tables.ts's.
 */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import type { CapacityModel } from './capacity-model';
import { renderModel } from './capacity-model';
import { backgrounds, byCommand, curve, expiry, fanOut, lightUsers, monitored, pushes, roles, scheduling, waiting } from './scaling-tables';
import type { Machine, ScalingRun } from './scaling-types';
import { round } from './stats';

const quiet = (command: string, args: string[]): string => {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

export function hostInfo(): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    kernel: release(),
    node: process.version,
    redis: /v=(\S+)/.exec(quiet('redis-server', ['--version']))?.[1] ?? 'unknown',
    commit: quiet('git', ['rev-parse', '--short', 'HEAD']),
    uncommitted: quiet('git', ['status', '--porcelain', '--', 'server', 'shared']).split('\n').filter(Boolean),
  };
}

export function renderScaling(run: ScalingRun, model: CapacityModel): string {
  const m = run.machine;
  const e = run.expiry;
  const changes = m.uncommitted.length ? ` with uncommitted server changes (${m.uncommitted.join('; ')})` : '';
  const lines = [
    `# Scaling run ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC (${run.mode}, ${run.seconds} s)`,
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGb} GiB, kernel ${m.kernel}; Node ${m.node}, Redis ${m.redis}; commit ${m.commit}${changes}.`,
    `Load average before measuring: ${run.load.load.join(' ')} (after waiting ${run.load.waitedSeconds} s for the 1-minute load to fall below 0.7); at the end: ${run.load.atEnd.join(' ')}.`,
    `"others' CPU %": the share of both cores used during a window beyond this run's own processes (other jobs, kernel`,
    'threads, interrupts); a login window over 15 % was measured again, at most four times (the discarded tries are listed).',
    '',
    'Method: `bench/scaling.ts` and `bench/lib/scaling-measure.ts` (their header comments). Redis figures are INFO deltas over',
    'every node (commandstats: the commands Redis ran, those of Lua scripts included; total_net_input/output_bytes;',
    'total_net_repl_output_bytes; used_cpu_user + used_cpu_sys; used_memory), the probe’s own INFO and the deployment’s',
    'background (its rate in the no-browser window) taken out. Every login is a heavy user’s (50 signed-in browsers) unless',
    'said otherwise.',
    '',
    '## Logins: the scaling curve',
    '',
    curve(run),
    '',
    '## How the two cores were shared (per login; sleeps: the main thread found nothing to do)',
    '',
    scheduling(run),
    '',
    '## The adapter’s fan-out: six instances, logins served by three',
    '',
    fanOut(run),
    '',
    '## Redis commands per login by command (3 instances, the highest concurrency)',
    '',
    byCommand(run),
    '',
    '## What a login sends to Redis, and what its scripts run (MONITOR)',
    '',
    monitored(run),
    '',
    '## Light users: a pool of fresh users, a few logins each (a short sign-in list), three instances',
    '',
    lightUsers(run),
    '',
    '## What the classic adapter publishes per login (a spy subscribed to its channels)',
    '',
    pushes(run),
    '',
    '## Waiting browsers (HTTP gene, socket, qr:subscribe; the background taken out)',
    '',
    waiting(run),
    '',
    '## Background: the instances with no browser (per instance, per minute)',
    '',
    backgrounds(run),
    '',
    `## The expiry sweep, per QR (${e.qrs} QRs of ${e.ttlSeconds} s on one instance; ${e.unswept} left unswept)`,
    '',
    expiry(run),
    '',
    '## Redis Cluster: masters and replicas per login',
    '',
    roles(run),
    '',
    renderModel(model),
  ];
  return `${lines.join('\n')}\n`;
}
