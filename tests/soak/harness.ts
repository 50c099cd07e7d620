/**
 * @module
 * `runSoak(options)`: the soak with faults of issue 18, as library code for the jest test (the
 * short variant) and tests/soak/run.ts (the long one). Thousands of waiting browsers spread
 * over three instances behind nginx; a steady stream of logins (a fresh browser each, some
 * phones waiting seconds before approving); one instance SIGKILLed and restarted, then a
 * Redis fault; at the end every waiting browser must be connected and subscribed. Every
 * confirm answered 200 (or proven, see phones.ts) must reach its browser within the bound and
 * its ticket must redeem: anything else is lost, and the report says which path lost it.
 * Every process it starts is stopped by its handle, whatever happens.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type Browser, type BrowserContext, type BrowserHooks, gene, openBrowser } from './browsers';
import { eachLimited, finalChecks } from './final';
import { runFaults, unavailableWindow } from './faults';
import { soakHttp } from './http';
import { type LoginContext, type LoginRecord, runLogin } from './logins';
import { UserPool } from './phones';
import { Recorder } from './recorder';
import type { RedisKind } from './redis-under-test';
import { type SoakReport, loginSummary } from './report';
import { PRODUCTION_WORKER_CONNECTIONS } from './balancer';
import { StormTracker } from './storm';
import { startTopology } from './topology';

export interface SoakOptions {
  redis: RedisKind;
  /** Waiting browsers, opened before the steady phase. */
  waiting: number;
  /** Length of the steady phase (logins started), ms. */
  steadyMs: number;
  loginsPerSecond: number;
  /** Phone users (each holds at most four undecided scans). */
  users: number;
  delayedShare: number;
  delayMs: readonly [number, number];
  /** Fractions of the steady phase. */
  killAt: number;
  redisFaultAt: number;
  restartAfterMs: number;
  stormBoundMs: number;
  deliveryBoundMs: number;
  /** Waiting browsers checked with a scan push at the end. */
  sentinel: number;
  /** nginx `worker_connections` (null: deploy/nginx.conf's 16384). */
  workerConnections: number | null;
  qrTtlSeconds: number;
  log: (line: string) => void;
}

export const SHORT_SOAK: Omit<SoakOptions, 'redis' | 'log'> = {
  waiting: 600,
  steadyMs: 22_000,
  loginsPerSecond: 15,
  users: 40,
  delayedShare: 0.1,
  delayMs: [2_000, 5_000],
  killAt: 1 / 3,
  redisFaultAt: 2 / 3,
  restartAfterMs: 3_000,
  stormBoundMs: 30_000,
  deliveryBoundMs: 15_000,
  sentinel: 40,
  workerConnections: null,
  qrTtlSeconds: 600,
};

export const LONG_SOAK: Omit<SoakOptions, 'redis' | 'log'> = {
  ...SHORT_SOAK,
  waiting: 3_000,
  steadyMs: 66_000,
  loginsPerSecond: 30,
  users: 100,
  sentinel: 150,
  // Two nginx connections per proxied socket: deploy/nginx.conf's 16384 carry about 8,000.
  workerConnections: null,
};

/** Sockets per 127.0.0.x source address (nginx allows 1000 per address). */
const BROWSERS_PER_ADDRESS = 400;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise`, at most `ms` (the timer is cleared either way). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function openFilesLimit(): number {
  const match = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === undefined || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const began = Date.now();
  const log = (line: string) => options.log(`+${((Date.now() - began) / 1000).toFixed(1)}s ${line}`);
  // This process holds a socket per browser (plus HTTP); nginx, which inherits the limit, two.
  const needed = Math.ceil((options.waiting + options.loginsPerSecond * 20) * 2.2) + 500;
  if (openFilesLimit() < needed)
    throw new Error(`ulimit -n is ${openFilesLimit()}: the soak needs at least ${needed} (raise it with ulimit -n)`);
  const startedAt = Date.now();
  const recorder = new Recorder();
  const topology = await startTopology({
    redis: options.redis,
    instances: 3,
    qrTtlSeconds: options.qrTtlSeconds,
    workerConnections: options.workerConnections,
  });
  const waiting: Browser[] = [];
  const logins: Promise<LoginRecord>[] = [];
  try {
    log(`nginx ${topology.balancer.url}, instances ${topology.instances.all.map((instance) => instance.port).join(', ')}`);
    const http = soakHttp(topology.balancer.url, recorder);
    const storm = new StormTracker(recorder);
    const waitingSet = new WeakSet<Browser>();
    let renewals = 0;
    const hooks: BrowserHooks = {
      onDisconnect: (browser) => storm.onDisconnect(browser),
      onSubscribed: (browser) => storm.onSubscribed(browser),
      onExpired: (browser) => {
        // A waiting browser shows a new QR when its QR expires (bounded).
        if (!waitingSet.has(browser) || renewals >= options.waiting) return;
        renewals += 1;
        void gene(http).then(
          (qr) => browser.renew(qr),
          () => undefined,
        );
      },
    };
    const addresses = Math.ceil((options.waiting + options.loginsPerSecond * 20) / BROWSERS_PER_ADDRESS);
    const browsers: BrowserContext = {
      url: topology.balancer.url,
      http,
      recorder,
      hooks,
      localAddress: (id) => `127.0.0.${2 + (id % addresses)}`,
    };
    const users = await UserPool.register(http, options.users, `soak${Date.now().toString(36)}u`);
    log(`${users.size} phone users registered`);

    const ids = Array.from({ length: options.waiting }, (_, i) => i);
    await eachLimited(ids, 50, async (id) => {
      const browser = await openBrowser(browsers, id, 30_000);
      waitingSet.add(browser);
      waiting.push(browser);
    }).catch((error: unknown) => {
      const seen = { subscribed: waiting.length, connectErrors: recorder.counts().connectErrors, nginx: topology.balancer.errorCounts() };
      throw new Error(
        `opening the waiting browsers failed: ${error instanceof Error ? error.message : String(error)}; ${JSON.stringify(seen)}`,
      );
    });
    const spread = await Promise.all(topology.instances.all.map((instance) => topology.socketsOf(instance.index)));
    log(`${waiting.length} waiting browsers subscribed, sockets per instance ${spread.join('/')}`);

    const ctx: LoginContext = {
      browsers,
      http,
      users,
      appSecret: topology.appSecret,
      audited: (random) => topology.audited(random),
      deliveryBoundMs: options.deliveryBoundMs,
      delayedShare: options.delayedShare,
      delayMs: options.delayMs,
      t0: 0,
      nameOf: (upstream) => {
        const index = topology.instances.all.findIndex((instance) => upstream === `127.0.0.1:${instance.port}`);
        return index < 0 ? String(upstream) : `i${index}:${topology.instances.at(index).port}`;
      },
    };
    const steadyStart = Date.now();
    ctx.t0 = steadyStart;
    const setupMs = steadyStart - startedAt;
    const plan = {
      killAtMs: Math.round(options.steadyMs * options.killAt),
      restartAfterMs: options.restartAfterMs,
      stormBoundMs: options.stormBoundMs,
      redisFaultAtMs: Math.round(options.steadyMs * options.redisFaultAt),
    };
    const faults = runFaults(plan, {
      topology,
      storm,
      steadyStart,
      isWaiting: (browser) => waitingSet.has(browser),
      someRandom: () => waiting[0]?.qr.random ?? null,
      log,
    });
    // Awaited after the steady phase; a failure meanwhile must not count as unhandled.
    faults.catch(() => undefined);
    // Logins at a steady rate: each tick starts those due by now (the loop is bounded by time).
    while (Date.now() - steadyStart < options.steadyMs) {
      const due = Math.floor(((Date.now() - steadyStart) / 1000) * options.loginsPerSecond);
      while (logins.length < due) logins.push(runLogin(ctx, options.waiting + logins.length));
      await sleep(20);
    }
    const steadyMs = Date.now() - steadyStart;
    log(`${logins.length} logins started; draining`);
    const fault = await faults;
    const records = await Promise.all(logins);
    for (const record of records) {
      if (record.lostPath === null || record.random === null || !topology.redis.whereIs) continue;
      record.lostPath += `; ${await topology.redis.whereIs(record.random).catch((error: unknown) => String(error))}`;
    }
    const drainMs = Date.now() - steadyStart - steadyMs;

    const finalStart = Date.now();
    const final = await finalChecks(waiting, { http, users, sentinel: options.sentinel, preferred: storm.movedBrowsers() });
    const finalMs = Date.now() - finalStart;
    const counts = recorder.counts();
    return {
      date: new Date().toISOString(),
      redis: options.redis,
      settings: {
        waiting: options.waiting,
        loginsPerSecond: options.loginsPerSecond,
        steadyMs: options.steadyMs,
        users: options.users,
        delayedShare: options.delayedShare,
        deliveryBoundMs: options.deliveryBoundMs,
        qrTtlSeconds: options.qrTtlSeconds,
        sourceAddresses: addresses,
        renewedQrs: renewals,
        cpus: availableParallelism(),
        node: process.version,
      },
      plan,
      durationsMs: { setup: setupMs, steady: steadyMs, drain: drainMs, final: finalMs, total: Date.now() - startedAt },
      ...loginSummary(records),
      retries: counts.retries,
      refused: counts.refused,
      kill: fault.kill,
      storm: storm.result(),
      redisFault: {
        ...fault.redis,
        unavailable: unavailableWindow(recorder, steadyStart + fault.redis.atMs, fault.redis.downMs, ctx.nameOf),
      },
      final,
      serverLog: topology.logSummary(),
      nginx: {
        workerConnections: topology.balancer.workerConnections,
        productionValue: topology.balancer.workerConnections === PRODUCTION_WORKER_CONNECTIONS,
        errorLog: topology.balancer.errorCounts(),
      },
    };
  } finally {
    // Logins still running (a failure above) end on their own bounds; their browsers close then.
    await within(Promise.allSettled(logins), 60_000);
    for (const browser of waiting) browser.close();
    await topology.close();
  }
}
