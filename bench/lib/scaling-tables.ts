/**
 * @module
 * The Markdown tables of a scaling run (bench/scaling.ts), one function per section of its
 * report (./scaling-report.ts assembles them).
 */
import { table } from './report';
import { type FanOutFigures, clusterBusBytes, fanOutSplit } from './scaling-figures';
import type { DeploymentRun, PushFigures, ScalingRun } from './scaling-types';
import { round } from './stats';

const kb = (bytes: number) => round(bytes / 1024, 2);
export const nameOf = (d: DeploymentRun) => `${d.instances} × ${d.redis === 'cluster' ? 'Cluster (3+3)' : 'Redis'}`;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

export function curve(run: ScalingRun): string {
  const rows = run.deployments.flatMap((d) =>
    d.logins.map((l) => [
      nameOf(d),
      l.concurrency,
      l.loginsPerSecond,
      l.serverCpuMsPerLogin,
      round(mean(l.instanceCpuMsPerLogin), 3),
      l.clientCpuMsPerLogin,
      l.redis.commands,
      l.redis.cpuMs,
      kb(l.redis.netIn),
      kb(l.redis.netOut),
      kb(l.redis.replOut),
      kb(l.redisMemoryPerLogin),
      l.othersCpuPercent,
    ]),
  );
  const headers = ['deployment', 'c', 'logins/s', 'server CPU ms', 'per instance', 'load gen. CPU ms', 'Redis cmds run', 'Redis CPU ms'];
  headers.push('Redis in kB', 'Redis out kB', 'replication kB', 'Redis memory kB', "others' CPU %");
  return table(headers, rows);
}

/** How the cores were shared: per login, the instances' and Redis's waits for a core, sleeps and preemptions. */
export function scheduling(run: ScalingRun): string {
  const rows = run.deployments.flatMap((d) =>
    d.logins.map((l) => {
      const x = l.sched;
      const cells = [nameOf(d), l.concurrency, l.serverCpuMsPerLogin, x.serverWaitMs, x.serverSleeps, x.serverPreemptions, l.redis.cpuMs];
      return cells.concat([
        x.redisWaitMs,
        x.redisSleeps,
        l.interruptsCpuPercent,
        l.othersCpuPercent,
        (l.discardedOthersPercent ?? []).join(', '),
      ]);
    }),
  );
  const headers = ['deployment', 'c', 'server CPU ms', 'server wait for a core ms', 'server sleeps', 'server preemptions', 'Redis CPU ms'];
  headers.push('Redis wait ms', 'Redis sleeps', 'interrupts % of cores', "others' %", 'discarded tries: others %');
  return table(headers, rows);
}

export function fanOut(run: ScalingRun): string {
  const windows: Array<[string, FanOutFigures]> = run.deployments.flatMap((d) =>
    d.fanOut ? [[nameOf(d), d.fanOut] as [string, FanOutFigures]] : [],
  );
  if (run.clusterFanOut) windows.push(['6 × Cluster (3+3)', run.clusterFanOut]);
  const rows = windows.map(([name, f]) => {
    const { serving, bystander, bystanderReadBytes } = fanOutSplit(f);
    const cells = [name, f.concurrency, f.loginsPerSecond, f.serverCpuMsPerLogin, serving, bystander, bystanderReadBytes];
    return cells.concat([
      f.redis.cpuMs,
      kb(f.redis.netOut),
      f.instanceCpuMsPerLogin.join(', '),
      (f.instanceReadBytesPerLogin ?? []).join(', '),
    ]);
  });
  const headers = ['deployment', 'c', 'logins/s', 'server CPU ms / login', 'each of the 3 serving', 'each bystander (less background)'];
  headers.push('bystander reads B (less background)', 'Redis CPU ms', 'Redis out kB', 'CPU ms by instance', 'B read by instance');
  return table(headers, rows);
}

export function byCommand(run: ScalingRun): string {
  const picks = run.deployments.filter((d) => d.instances === 3);
  const logins = picks.map((d) => d.logins.at(-1));
  const names = [...new Set(logins.flatMap((l) => Object.keys(l?.redis.byCommand ?? {})))];
  const rows = names.map((command) => [
    command,
    ...logins.flatMap((l) => [l?.redis.byCommand[command] ?? 0, l?.redis.usecByCommand[command] ?? 0]),
  ]);
  return table(['command', ...picks.flatMap((d) => [`${nameOf(d)}: calls`, 'µs in Redis'])], rows);
}

export function monitored(run: ScalingRun): string {
  const d = run.deployments.find((each) => each.inspect && each.instances === 3) ?? run.deployments.find((each) => each.inspect);
  if (!d?.inspect) return '(no MONITOR window)';
  const { sent, inScripts, evals } = d.inspect.commands;
  const names = [...new Set([...Object.keys(sent), ...Object.keys(inScripts)])];
  const rows = names.map((command) => [command, sent[command] ?? 0, inScripts[command] ?? 0]);
  const total = (record: Record<string, number>) =>
    round(
      Object.values(record).reduce((sum, v) => sum + v, 0),
      2,
    );
  rows.push(['**all**', total(sent), total(inScripts)]);
  const scripts = Object.entries(evals).map(([script, e]) => [script, e.calls, e.requestBytes]);
  return [
    `${nameOf(d)}, ${d.inspect.logins} logins of heavy users at c = ${d.logins[0]?.concurrency ?? ''}:`,
    '',
    table(['command', 'sent by qrlogin / login', 'run by its scripts / login'], rows),
    '',
    table(['EVAL of the script', 'calls / login', 'about B sent / login (script text, keys, arguments)'], scripts),
  ].join('\n');
}

export function lightUsers(run: ScalingRun): string {
  const rows = run.deployments.flatMap((d) => {
    const l = d.light;
    if (!l) return [];
    const heavy = d.logins[0];
    const masters = l.masters?.redis.cpuMs ?? l.redis.cpuMs;
    const cells = [
      nameOf(d),
      l.users,
      round(l.logins / l.users, 1),
      l.loginsPerSecond,
      l.serverCpuMsPerLogin,
      l.redis.commands,
      l.redis.cpuMs,
      masters,
    ];
    return [cells.concat([kb(l.redis.netIn), kb(l.redis.netOut), heavy?.redis.commands ?? 0, heavy?.redis.cpuMs ?? 0])];
  });
  const headers = [
    'deployment',
    'users',
    'measured logins per user',
    'logins/s',
    'server CPU ms',
    'Redis cmds run',
    'Redis CPU ms',
    'masters CPU ms',
  ];
  headers.push('in kB', 'out kB', 'heavy users (same c): cmds run', 'Redis CPU ms');
  return table(headers, rows);
}

export function pushes(run: ScalingRun): string {
  const rows = run.deployments
    .filter((d) => d.inspect)
    .map((d) => {
      const p = (d.inspect as { push: PushFigures }).push;
      const l = d.logins.at(-1);
      return [nameOf(d), round(p.messagesPerLogin, 2), round(p.roomMessagesPerLogin, 2), round(p.channelBytesPerMessage, 0)].concat([
        round(p.payloadBytesPerMessage, 0),
        kb(l?.redis.netOut ?? 0),
      ]);
    });
  return table(['deployment', 'publishes / login', 'to a room', 'channel B', 'payload B', 'Redis out kB / login'], rows);
}

export function waiting(run: ScalingRun): string {
  const rows = run.deployments.map((d) => {
    const w = d.waiting;
    const c = w.perCreation;
    return [nameOf(d), w.browsers, w.openSeconds, c.serverCpuMs, c.redis.commands, c.redis.cpuMs, round(c.redis.netIn + c.redis.netOut, 0)]
      .concat([round(c.redis.replOut, 0), w.rssMbPer1000, w.redisBytesPerQr, w.redisBytesPerQrMasters, w.idleServerCpuPercentPer1000])
      .concat([
        w.idlePerBrowserPerMinute.commands,
        w.idlePerBrowserPerMinute.bytes,
        `${w.othersCpuPercent?.opening ?? '?'} / ${w.othersCpuPercent?.idle ?? '?'}`,
      ]);
  });
  const headers = ['deployment', 'browsers', 'open s', 'server CPU ms / QR', 'Redis cmds / QR', 'Redis CPU ms / QR', 'Redis B / QR'];
  headers.push('replication B / QR', 'RSS MB / 1,000', 'used_memory B / QR', 'on masters', 'idle server CPU % / 1,000');
  headers.push('idle Redis cmds / browser / min', 'idle Redis B / browser / min', "others' % opening / idle");
  return table(headers, rows);
}

export function backgrounds(run: ScalingRun): string {
  const rows = run.deployments.map((d) => {
    const b = d.background;
    const top = Object.entries(b.byCommandPerMinute)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([command, calls]) => `${command} ${calls}`)
      .join(', ');
    return [nameOf(d), b.seconds, b.commandsPerMinute, round(b.bytesPerMinute, 0), b.redisCpuMsPerMinute, b.serverCpuPercent, top];
  });
  const headers = [
    'deployment',
    'window s',
    'Redis cmds / min',
    'Redis B / min',
    'Redis CPU ms / min',
    'server CPU %',
    'top commands / min',
  ];
  return table(headers, rows);
}

export function expiry(run: ScalingRun): string {
  const e = run.expiry;
  const r = e.redis;
  return table(
    ['server CPU ms', 'Redis cmds run', 'Redis CPU ms', 'Redis B in + out', 'by command'],
    [[e.serverCpuMs, r.commands, r.cpuMs, round(r.netIn + r.netOut, 0), JSON.stringify(r.byCommand)]],
  );
}

export function roles(run: ScalingRun): string {
  const rows = run.deployments.flatMap((d) =>
    (['masters', 'replicas'] as const).flatMap((role) =>
      (d.loginsByRole?.[role] ?? []).map((l) => {
        const r = l.redis;
        return [nameOf(d), role, l.concurrency, r.commands, r.cpuMs, kb(r.netIn), kb(r.netOut), kb(r.replOut), kb(clusterBusBytes(r))];
      }),
    ),
  );
  const headers = ['deployment', 'nodes', 'c', 'cmds run / login', 'CPU ms / login', 'in kB (replication included)'];
  headers.push('out kB (replication included)', 'replication out kB', 'bus kB (written − out)');
  return table(headers, rows);
}
