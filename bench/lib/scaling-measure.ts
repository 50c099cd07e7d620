/**
 * @module
 * One deployment of a scaling run (bench/scaling.ts), measured from start to stop:
 * 1. N instances on the throwaway Redis; `phones` phone users registered, and each of them logs
 *    in `SIGN_INS_FILLED` times, which warms the instances up and fills each user's list of
 *    signed-in browsers to its cap of 50 (server/services/sign-ins.ts): a login's Redis work
 *    depends on that list's length, and every measured login then finds it full (a heavy user);
 * 2. the background (no browser), then waiting browsers (bench/lib/scaling-idle.ts);
 * 3. a login window at each concurrency, worker w logging in as phone w;
 * 4. at six instances, a window whose logins use the first three only: the other three only
 *    receive the adapter's messages (classic: every push reaches every instance; on a Cluster,
 *    six instances are started on it afterwards for this window alone, `clusterFanOut`);
 * 5. standalone: a window with the adapter spy and MONITOR (its Redis figures not reported);
 * 6. at three instances: a window of light users (a pool of fresh users taken in turn, a few
 *    logins each: the report says how many), for the same login with a short sign-in list.
 */
import { loadavg } from 'node:os';
import { type BenchRedis, startStandaloneRedis } from './bench-redis';
import type { Fleet } from './fleet-control';
import { closeIdleConnections } from './http';
import { settle } from './processes';
import { redisProbe } from './redis-info';
import { perLogin, redisMonitor } from './redis-monitor';
import {
  type FanOutFigures,
  backgroundFigures,
  expiryFigures,
  fanOutFigures,
  loginFigures,
  machinePercent,
  waitingFigures,
} from './scaling-figures';
import { background, expiries, waitingBrowsers } from './scaling-idle';
import {
  type Deployment,
  type Interval,
  type LoginWindow,
  adapterSpy,
  loginWindow,
  loginsEach,
  registerPhones,
  watchAll,
} from './scaling-load';
import type { DeploymentRun } from './scaling-types';
import { startQrlogin } from './targets';

export interface ScalingSettings {
  concurrencies: number[];
  warmUpMs: number;
  windowMs: number;
  inspectMs: number;
  backgroundMs: number;
  waiting: number;
  settleMs: number;
  idleMs: number;
  lightUsers: number;
  lightMs: number;
  expiryQrs: number;
  expiryTtlSeconds: number;
  prefix: string;
  issuer: string;
}

/** Logins per heavy user before measuring: past the cap of 50 signed-in browsers. */
export const SIGN_INS_FILLED = 52;
const CORES = 2;
const load1 = () => Number((loadavg()[0] ?? 0).toFixed(2));
/**
 * A window in which something else took more than this share of the cores is measured again (four
 * times at most, 45 s apart). Interrupts are in that share (4–8 % here).
 */
const OTHERS_LIMIT = 15;
const RETRIES = 4;

/** Runs a login window until other processes left it alone (at most five tries); the discarded ones' shares kept. */
async function undisturbed(
  run: () => Promise<LoginWindow>,
  progress: (line: string) => void,
): Promise<LoginWindow & { discarded: number[] }> {
  const discarded: number[] = [];
  for (;;) {
    const w = await run();
    const others = machinePercent(w, CORES);
    if (others <= OTHERS_LIMIT || discarded.length === RETRIES) return { ...w, discarded };
    discarded.push(others);
    progress(`  other processes took ${others} % of the cores: measuring again in 45 s`);
    await settle(45_000);
  }
}

/** A window's figures, with the shares of other processes in the windows discarded before it. */
const figures = (w: LoginWindow & { discarded: number[] }, bg: Interval, which?: 'masters' | 'replicas') => ({
  ...loginFigures(w, CORES, bg, which),
  ...(w.discarded.length ? { discardedOthersPercent: w.discarded } : {}),
});

export async function startDeployment(
  s: Pick<ScalingSettings, 'prefix' | 'issuer'>,
  redis: BenchRedis,
  count: number,
  env: Record<string, string> = {},
): Promise<Deployment> {
  const probe = await redisProbe(redis.ports, redis.kind === 'cluster');
  const servers = [];
  for (let i = 0; i < count; i++) {
    const name = `qrlogin ${redis.kind} ${i + 1}/${count}`;
    const store =
      'url' in redis.target
        ? ({ store: 'redis', redis: { url: redis.target.url, prefix: s.prefix } } as const)
        : ({ store: 'redis-cluster', cluster: { nodes: redis.target.nodes, prefix: s.prefix } } as const);
    servers.push(await startQrlogin({ name, ...store, issuer: s.issuer, env }));
  }
  return { urls: servers.map((server) => server.url), servers: servers.map((server) => server.process), probe };
}

export async function stopDeployment(dep: Deployment): Promise<void> {
  closeIdleConnections();
  await Promise.all(dep.servers.map((server) => server.stop()));
  await dep.probe.close();
}

/** Adapter spy and MONITOR over one window at the lowest concurrency (standalone Redis). */
async function inspect(s: ScalingSettings, dep: Deployment, port: number, phones: string[]): Promise<DeploymentRun['inspect']> {
  const spy = await adapterSpy(port, s.prefix);
  const monitor = await redisMonitor(port);
  try {
    const w = await loginWindow(
      dep,
      (worker) => phones[worker] ?? '',
      s.concurrencies[0] ?? 8,
      s.warmUpMs / 2,
      s.inspectMs,
      watchAll(spy, monitor),
    );
    return {
      logins: w.logins,
      push: {
        messagesPerLogin: spy.messages / w.logins,
        roomMessagesPerLogin: spy.roomMessages / w.logins,
        channelBytesPerMessage: spy.channelBytes / Math.max(1, spy.messages),
        payloadBytesPerMessage: spy.payloadBytes / Math.max(1, spy.messages),
      },
      commands: perLogin(monitor.counts, w.logins),
    };
  } finally {
    await spy.close();
    await monitor.close();
  }
}

/**
 * Logins served by the first three instances of `dep` only, at the highest concurrency: the
 * others only receive what the adapter delivers them (with the classic adapter, every push).
 */
async function fanOutWindow(
  s: ScalingSettings,
  dep: Deployment,
  phones: string[],
  bg: Interval,
  progress: (line: string) => void,
): Promise<FanOutFigures> {
  const most = Math.max(...s.concurrencies);
  const serving = { ...dep, urls: dep.urls.slice(0, 3) };
  const w = await undisturbed(() => loginWindow(serving, (worker) => phones[worker] ?? '', most, s.warmUpMs, s.windowMs), progress);
  const f = {
    ...fanOutFigures(w, CORES, bg, 3, dep.servers.length),
    ...(w.discarded.length ? { discardedOthersPercent: w.discarded } : {}),
  };
  progress(`  logins over 3 of ${dep.urls.length}: CPU ms per login by instance ${f.instanceCpuMsPerLogin.join(', ')}`);
  return f;
}

/** Six instances on a Cluster measured before (its users, full of sign-ins, reused): the fan-out window only. */
export async function clusterFanOut(
  s: ScalingSettings,
  redis: BenchRedis,
  phones: string[],
  progress: (line: string) => void,
): Promise<FanOutFigures> {
  const dep = await startDeployment(s, redis, 6);
  try {
    // New instances: a few logins per user first (JIT, each instance's cache of verified user tokens).
    await loginsEach(dep, phones, 5);
    await settle(s.settleMs);
    const bg = await background(dep, s.backgroundMs / 2);
    return await fanOutWindow(s, dep, phones, bg, progress);
  } finally {
    await stopDeployment(dep);
  }
}

export async function measure(
  s: ScalingSettings,
  redis: BenchRedis,
  count: number,
  fleet: Fleet,
  progress: (line: string) => void,
): Promise<{ run: DeploymentRun; phones: string[] }> {
  const dep = { ...(await startDeployment(s, redis, count)), fleet: fleet.process };
  try {
    const phones = await registerPhones(dep.urls, Math.max(...s.concurrencies));
    progress(`${redis.kind}, ${count} instance(s): filling ${phones.length} users' sign-ins (${SIGN_INS_FILLED} logins each)`);
    await loginsEach(dep, phones, SIGN_INS_FILLED);
    await settle(s.settleMs);
    const loads: number[] = [load1()];
    const bg = await background(dep, s.backgroundMs);
    const waiting = await waitingBrowsers(dep, fleet, s.waiting, s.settleMs, s.idleMs);
    const roles = redis.kind === 'cluster' ? (['masters', 'replicas'] as const) : [];
    const logins = [];
    const byRole: NonNullable<DeploymentRun['loginsByRole']> = { masters: [], replicas: [] };
    for (const concurrency of s.concurrencies) {
      loads.push(load1());
      const w = await undisturbed(() => loginWindow(dep, (worker) => phones[worker] ?? '', concurrency, s.warmUpMs, s.windowMs), progress);
      const f = figures(w, bg);
      logins.push(f);
      for (const role of roles) byRole[role].push(figures(w, bg, role));
      progress(
        `  c=${concurrency}: ${f.loginsPerSecond} logins/s, server ${f.serverCpuMsPerLogin} ms, Redis ${f.redis.commands} cmds, ${f.redis.cpuMs} ms`,
      );
    }
    const fanOut = count === 6 ? await fanOutWindow(s, dep, phones, bg, progress) : undefined;
    const inspected = redis.kind === 'standalone' ? await inspect(s, dep, redis.ports[0] ?? 0, phones) : undefined;
    let light: DeploymentRun['light'];
    if (count === 3) {
      const pool = await registerPhones(dep.urls, s.lightUsers);
      const c = s.concurrencies[0] ?? 8;
      // Each retry takes fresh users: a discarded window has filled the first ones' sign-in lists a little.
      let round = 0;
      const w = await undisturbed(() => {
        const offset = round++ * Math.floor(pool.length / 3);
        return loginWindow(dep, (_, k) => pool[(k + offset) % pool.length] ?? '', c, s.warmUpMs / 6, s.lightMs);
      }, progress);
      light = { users: pool.length, ...figures(w, bg) };
      if (redis.kind === 'cluster') light.masters = figures(w, bg, 'masters');
      progress(`  light users: ${light.loginsPerSecond} logins/s, Redis ${light.redis.commands} cmds, ${light.redis.cpuMs} ms per login`);
    }
    const run: DeploymentRun = {
      instances: count,
      redis: redis.kind,
      loadAverage1: loads,
      background: backgroundFigures(bg, count),
      logins,
      ...(redis.kind === 'cluster' ? { loginsByRole: byRole } : {}),
      ...(fanOut ? { fanOut } : {}),
      ...(inspected ? { inspect: inspected } : {}),
      ...(light ? { light } : {}),
      waiting: waitingFigures(waiting, bg),
      raw: { background: bg, waiting },
    };
    return { run, phones };
  } finally {
    await stopDeployment(dep);
  }
}

/** The expiry sweep's cost per QR: one instance whose QRs live `expiryTtlSeconds`. */
export async function expiryRun(s: ScalingSettings, fleet: Fleet) {
  const redis = await startStandaloneRedis();
  try {
    const dep = { ...(await startDeployment(s, redis, 1, { QR_TTL_SECONDS: String(s.expiryTtlSeconds) })), fleet: fleet.process };
    try {
      const bg = await background(dep, s.backgroundMs / 2);
      const reading = await expiries(dep, fleet, s.expiryQrs, s.expiryTtlSeconds, redis.ports[0] ?? 0, s.prefix);
      return { figures: expiryFigures(reading, bg), raw: { background: bg, reading } };
    } finally {
      await stopDeployment(dep);
    }
  } finally {
    await redis.stop();
  }
}
