/**
 * @module
 * The per-unit figures of a scaling run (bench/scaling.ts), derived from its measured intervals:
 * per login, per QR created, per waiting browser held (and per minute of it), per QR expired,
 * per instance in the background, per push. Where an interval carries the deployment's own
 * background traffic (pings, polls), its rate from the background window is taken out.
 */
import type { WaitingReading, ExpiryReading } from './scaling-idle';
import type { Interval, LoginWindow } from './scaling-load';
import { round } from './stats';

/**
 * Redis work per unit. `netIn`/`netOut` are Redis's totals, which in Redis 7.0 include replication
 * (`replOut`, and on a replica its input). `busBytes` is what the processes wrote less `netOut`
 * and `replOut`, so replication is taken off twice: a Cluster's bus is `clusterBusBytes`.
 */
export interface RedisPerUnit {
  /** Commands Redis ran (commandstats; Redis 7.0's total_commands_processed counts the same, scripts' commands included). */
  commands: number;
  netIn: number;
  netOut: number;
  replOut: number;
  busBytes: number;
  cpuMs: number;
  byCommand: Record<string, number>;
  /** Execution time inside Redis (commandstats usec) per unit, by command, µs. */
  usecByCommand: Record<string, number>;
}

/** A Cluster's bus bytes per unit: what the nodes wrote beyond their net output (`busBytes` took replication off twice). */
export const clusterBusBytes = (r: Pick<RedisPerUnit, 'busBytes' | 'replOut'>): number => r.busBytes + r.replOut;

const rate = (i: Interval | undefined, pick: (i: Interval) => number) => (i ? pick(i) / i.seconds : 0);

/** Redis work of `i` per unit (of `units`), less `bg`'s rate over as long. */
export function redisPer(i: Interval, units: number, bg?: Interval, which: 'all' | 'masters' | 'replicas' = 'all'): RedisPerUnit {
  const part = (x: Interval) => (which === 'all' ? x.redis : which === 'masters' ? x.masters : x.replicas);
  const less = (pick: (x: Interval) => number) => (pick(i) - rate(bg, pick) * i.seconds) / Math.max(1, units);
  const per = (record: Record<string, number>, bgRecord: Record<string, number> | undefined) => {
    const out: Record<string, number> = {};
    for (const [name, value] of Object.entries(record)) {
      const v = (value - ((bgRecord?.[name] ?? 0) / (bg?.seconds ?? 1)) * (bg ? i.seconds : 0)) / Math.max(1, units);
      if (Math.abs(v) >= 0.005) out[name] = round(v, 3);
    }
    return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
  };
  const bus = (x: Interval) => part(x).ioWrite - part(x).netOut - part(x).replOut;
  return {
    commands: round(
      less((x) => part(x).commands),
      3,
    ),
    netIn: round(
      less((x) => part(x).netIn),
      1,
    ),
    netOut: round(
      less((x) => part(x).netOut),
      1,
    ),
    replOut: round(
      less((x) => part(x).replOut),
      1,
    ),
    busBytes: round(less(bus), 1),
    cpuMs: round(
      less((x) => part(x).cpuMs),
      4,
    ),
    byCommand: per(part(i).byCommand, bg ? part(bg).byCommand : undefined),
    usecByCommand: per(part(i).usecByCommand, bg ? part(bg).usecByCommand : undefined),
  };
}

export interface LoginFigures {
  concurrency: number;
  logins: number;
  seconds: number;
  loginsPerSecond: number;
  serverCpuMsPerLogin: number;
  clientCpuMsPerLogin: number;
  /** Share of the machine's two cores used beyond this run's processes (others and interrupts), and by interrupts alone. */
  othersCpuPercent: number;
  interruptsCpuPercent: number;
  /** Per login, the instances' main threads: ms waiting for a core, sleeps (event-loop wakeups), preemptions; Redis's wait. */
  sched: { serverWaitMs: number; serverSleeps: number; serverPreemptions: number; redisWaitMs: number; redisSleeps: number };
  /** Share of the window each instance's CPU took (% of one core), and its CPU per login. */
  instanceCpuPercent: number[];
  instanceCpuMsPerLogin: number[];
  /** Bytes each instance read per login (its clients' requests, Redis's replies and the pushes it was sent). */
  instanceReadBytesPerLogin?: number[];
  redis: RedisPerUnit;
  /** Redis used_memory grown per login over the window (the login's QR kept for late pollers). */
  redisMemoryPerLogin: number;
  /** Others' share of the cores in earlier tries of this window, discarded for it (over 15 %). */
  discardedOthersPercent?: number[];
}

export const machinePercent = (i: Interval, cores: number, ms = i.othersCpuMs) => round((ms / (i.seconds * 1000 * cores)) * 100, 1);

/** A login window's figures; Redis's work less the deployment's background (`bg`) over as long. */
export function loginFigures(w: LoginWindow, cores: number, bg: Interval, which: 'all' | 'masters' | 'replicas' = 'all'): LoginFigures {
  return {
    concurrency: w.concurrency,
    logins: w.logins,
    seconds: round(w.seconds, 2),
    loginsPerSecond: round(w.loginsPerSecond, 1),
    serverCpuMsPerLogin: round(w.serverCpuMs / w.logins, 3),
    clientCpuMsPerLogin: round(w.clientCpuMs / w.logins, 3),
    othersCpuPercent: machinePercent(w, cores),
    interruptsCpuPercent: machinePercent(w, cores, w.interruptsCpuMs),
    sched: {
      serverWaitMs: round(w.serverSched.waitMs / w.logins, 3),
      serverSleeps: round(w.serverSched.voluntary / w.logins, 2),
      serverPreemptions: round(w.serverSched.involuntary / w.logins, 2),
      redisWaitMs: round(w.redisSched.waitMs / w.logins, 3),
      redisSleeps: round(w.redisSched.voluntary / w.logins, 2),
    },
    instanceCpuPercent: w.serverCpuMsEach.map((ms) => round((ms / (w.seconds * 1000)) * 100, 1)),
    instanceCpuMsPerLogin: w.serverCpuMsEach.map((ms) => round(ms / w.logins, 3)),
    instanceReadBytesPerLogin: w.serverReadBytesEach.map((bytes) => round(bytes / w.logins, 0)),
    redis: redisPer(w, w.logins, bg, which),
    redisMemoryPerLogin: round((which === 'all' ? w.redis : which === 'masters' ? w.masters : w.replicas).usedMemory / w.logins, 0),
  };
}

export interface BackgroundFigures {
  seconds: number;
  /** Per instance, per minute. */
  commandsPerMinute: number;
  bytesPerMinute: number;
  redisCpuMsPerMinute: number;
  serverCpuPercent: number;
  byCommandPerMinute: Record<string, number>;
}

export function backgroundFigures(bg: Interval, instances: number): BackgroundFigures {
  const perMinute = (v: number) => round(((v / bg.seconds) * 60) / instances, 1);
  return {
    seconds: round(bg.seconds, 1),
    commandsPerMinute: perMinute(bg.redis.commands),
    bytesPerMinute: perMinute(bg.redis.netIn + bg.redis.netOut),
    redisCpuMsPerMinute: perMinute(bg.redis.cpuMs),
    serverCpuPercent: round((bg.serverCpuMs / (bg.seconds * 1000) / instances) * 100, 2),
    byCommandPerMinute: Object.fromEntries(Object.entries(bg.redis.byCommand).map(([name, calls]) => [name, perMinute(calls)])),
  };
}

export interface WaitingFigures {
  browsers: number;
  openSeconds: number;
  /** Per QR created (HTTP gene + socket + qr:subscribe), the background taken out. */
  perCreation: { serverCpuMs: number; redis: RedisPerUnit };
  /** Instances' RSS per 1,000 held sockets (summed over the instances), MB. */
  rssMbPer1000: number;
  /** Redis used_memory per waiting QR, bytes (every node; on a Cluster, the masters' share too). */
  redisBytesPerQr: number;
  redisBytesPerQrMasters: number;
  /** While held, beyond the background: per browser per minute. */
  idlePerBrowserPerMinute: { commands: number; bytes: number; redisCpuMs: number };
  /** Server CPU of the held browsers (heartbeats), beyond the background: % of one core per 1,000. */
  idleServerCpuPercentPer1000: number;
  /** Others' share of the cores while the browsers opened and while they were held (not measured again). */
  othersCpuPercent: { opening: number; idle: number };
}

export function waitingFigures(r: WaitingReading, bg: Interval): WaitingFigures {
  const k = r.browsers;
  const idle = redisPer(r.idle, k, bg);
  const perMinute = (v: number) => round((v / r.idle.seconds) * 60, 5);
  const bgCpu = rate(bg, (x) => x.serverCpuMs) * r.idle.seconds;
  return {
    browsers: k,
    openSeconds: round(r.openSeconds, 2),
    perCreation: {
      serverCpuMs: round((r.creation.serverCpuMs - rate(bg, (x) => x.serverCpuMs) * r.creation.seconds) / k, 3),
      redis: redisPer(r.creation, k, bg),
    },
    rssMbPer1000: round((r.held.rssBytes.to - r.held.rssBytes.from) / 1024 ** 2 / (k / 1000), 2),
    redisBytesPerQr: round(r.held.redis.usedMemory / k, 0),
    redisBytesPerQrMasters: round(r.held.masters.usedMemory / k, 0),
    idlePerBrowserPerMinute: {
      commands: perMinute(idle.commands),
      bytes: perMinute(idle.netIn + idle.netOut),
      redisCpuMs: perMinute(idle.cpuMs),
    },
    idleServerCpuPercentPer1000: round(((r.idle.serverCpuMs - bgCpu) / (r.idle.seconds * 1000) / (k / 1000)) * 100, 3),
    othersCpuPercent: { opening: machinePercent(r.creation, 2), idle: machinePercent(r.idle, 2) },
  };
}

export interface ExpiryFigures {
  qrs: number;
  ttlSeconds: number;
  unswept: number;
  serverCpuMs: number;
  redis: RedisPerUnit;
}

export function expiryFigures(r: ExpiryReading, bg: Interval): ExpiryFigures {
  const redis = redisPer(r.sweep, r.qrs, bg);
  // The bench's own ZCARD polls, one command each, are not the sweep's.
  const polls = r.polls / r.qrs;
  const zcard = (redis.byCommand.zcard ?? 0) - polls;
  redis.byCommand = { ...redis.byCommand, zcard: round(zcard, 3) };
  if (Math.abs(zcard) < 0.005) delete redis.byCommand.zcard;
  return {
    qrs: r.qrs,
    ttlSeconds: r.ttlSeconds,
    unswept: r.unswept,
    serverCpuMs: round((r.sweep.serverCpuMs - rate(bg, (x) => x.serverCpuMs) * r.sweep.seconds) / r.qrs, 3),
    redis: { ...redis, commands: round(redis.commands - polls, 3) },
  };
}

/**
 * Logins served by the first `involved` instances only; the others only receive the adapter's
 * messages. `background…PerLogin`: what an instance spends and reads per login on its own timers
 * anyway (per second in the background window ÷ logins per second), taken out of a bystander's.
 */
export type FanOutFigures = LoginFigures & { involved: number; backgroundMsPerLogin: number; backgroundReadBytesPerLogin: number };

export function fanOutFigures(w: LoginWindow, cores: number, bg: Interval, involved: number, instances: number): FanOutFigures {
  const f = loginFigures(w, cores, bg);
  const perLogin = (total: number) => total / bg.seconds / instances / f.loginsPerSecond;
  const bgReads = bg.serverReadBytesEach.reduce((sum, bytes) => sum + bytes, 0);
  return {
    ...f,
    involved,
    backgroundMsPerLogin: round(perLogin(bg.serverCpuMs), 4),
    backgroundReadBytesPerLogin: round(perLogin(bgReads), 1),
  };
}

/** Per login, the serving instances' mean CPU, and a bystander's CPU and bytes read beyond its background. */
export function fanOutSplit(f: FanOutFigures): { serving: number; bystander: number; bystanderReadBytes: number } {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const cpu = f.instanceCpuMsPerLogin;
  // Run files written before reads were measured have none: NaN, never taken for zero.
  const reads = f.instanceReadBytesPerLogin ?? cpu.map(() => Number.NaN);
  return {
    serving: round(mean(cpu.slice(0, f.involved)), 3),
    bystander: round(mean(cpu.slice(f.involved)) - f.backgroundMsPerLogin, 3),
    bystanderReadBytes: round(mean(reads.slice(f.involved)) - f.backgroundReadBytesPerLogin, 0),
  };
}
