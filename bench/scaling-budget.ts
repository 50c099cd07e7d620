/**
 * `npm run bench:budget [-- --quick] [-- --redis=cluster] [-- --share=0.1] [-- --instances=1,2,3,6]`:
 * does throughput grow with instances when each has the same CPU? On a machine of two cores, N
 * instances share those cores with Redis and the load generator, so `npm run bench:scaling`
 * cannot show it: its logins/s fall as N grows. Here every instance gets a fixed `share` of one
 * core (bench/lib/cpu-budget.ts: a cgroup each, CFS quota per 10 ms period; root needed), small
 * enough that six of them, Redis and the load generator fit in the two cores.
 *
 * For N = 1, 2, 3 and 6 built instances on a throwaway `redis-server` (classic adapter) or a
 * throwaway Cluster of 3 masters and 3 replicas (`--redis=cluster`: sharded adapter, WAIT 1):
 * - with no budget yet, each of 8 × N heavy users logs in 52 times (their sign-ins full), and
 *   more logins follow until each instance has taken part in 3,000 (the JIT's warm-up);
 * - the budgets are set, and 8 × N closed-loop logins run (bench/lib/scaling-load.ts: browser on
 *   one instance, phone on the next, redemption on the one after), three windows of 10 s after
 *   3 s of warm-up each. The median window stands for N: logins/s, what each instance used of
 *   its budget and how often it was throttled, CPU per login, Redis commands, bytes and CPU.
 * `--no-budget` runs the same without cgroups (the control); `--logs` prints the instances' logs.
 * Writes bench/runs/<date>-scaling-budget[-cluster][-control].json and .md (a quick run:
 * bench/results/scaling-budget-quick-<redis>.json only).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startClusterRedis, startStandaloneRedis, stopAllRedis } from './lib/bench-redis';
import { type CpuBudget, type ThrottleStats, cpuBudget, cpuBudgetSupport, removeAllBudgets, throttleDelta } from './lib/cpu-budget';
import { settle, stopAll } from './lib/processes';
import { type Cell, table } from './lib/report';
import { type LoginFigures, loginFigures } from './lib/scaling-figures';
import { background } from './lib/scaling-idle';
import { loginWindow, loginsEach, registerPhones } from './lib/scaling-load';
import { SIGN_INS_FILLED, startDeployment, stopDeployment } from './lib/scaling-measure';
import { hostInfo } from './lib/scaling-report';
import { round } from './lib/stats';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const value = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const shareArg = value('share');
const SETTINGS = {
  instances: (value('instances') ?? '1,2,3,6').split(',').map(Number),
  /** Each instance's share of one core. */
  share: shareArg ? Number(shareArg) : 0.1,
  /** One throwaway redis-server (classic adapter), or a Cluster of 3 masters + 3 replicas (sharded adapter). */
  redis: value('redis') === 'cluster' ? ('cluster' as const) : ('standalone' as const),
  periodUs: 10_000,
  /**
   * Logins in flight per instance: c = 8 × N, so that each instance has as many waiting for it at
   * every N (a fixed c would queue 48 on one instance, for seconds, and trip its request timeouts).
   */
  perInstance: 8,
  fill: quick ? 3 : SIGN_INS_FILLED,
  /**
   * Logins each instance takes part in before its budget is set (the JIT's warm-up): with fewer,
   * a tenth of a core runs the login half-optimised, at several times its CPU per login.
   */
  warmLogins: quick ? 200 : 3000,
  warmUpMs: quick ? 1000 : 3000,
  windowMs: quick ? 2000 : 10_000,
  /** Windows per N: from one window to the next, a tenth of a core's logins/s vary by about ±12 %. */
  tries: quick ? 1 : 3,
  backgroundMs: quick ? 1000 : 4000,
  prefix: 'qrlogin:',
  issuer: 'https://login.bench.test',
};
const CORES = 2;
const budgeted = !args.includes('--no-budget');

const progress = (line: string) => process.stderr.write(`[budget ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const load = () => loadavg().map((l) => Number(l.toFixed(2)));

interface BudgetRow {
  instances: number;
  logins: LoginFigures;
  /** Per instance: CPU used as % of its budget, and % of its periods that ended throttled. */
  budgetUsedPercent: number[];
  throttledPercent: number[];
  /** Redis's CPU as % of one core over the window. */
  redisCorePercent: number;
  /** Logins/s of every window measured at this N, in order (the row is the median one's). */
  tries: number[];
}

async function measureN(count: number): Promise<BudgetRow> {
  const redis = SETTINGS.redis === 'cluster' ? await startClusterRedis() : await startStandaloneRedis();
  const budgets: CpuBudget[] = [];
  let failed = false;
  try {
    const dep = await startDeployment(SETTINGS, redis, count);
    try {
      const phones = await registerPhones(dep.urls, SETTINGS.perInstance * count);
      progress(`${count} instance(s): filling ${phones.length} users' sign-ins (${SETTINGS.fill} logins each), no budget yet`);
      await loginsEach(dep, phones, SETTINGS.fill);
      // A login involves min(3, N) instances: N × warmLogins ÷ min(3, N) logins give each its share.
      const more = Math.ceil((SETTINGS.warmLogins * count) / Math.min(3, count) / phones.length) - SETTINGS.fill;
      if (more > 0) await loginsEach(dep, phones, more);
      progress(`  filled and warmed; ${budgeted ? `each instance now limited to ${SETTINGS.share} of a core` : 'no budget (the control)'}`);
      // --no-budget: the control, the same run with the instances left in the bench's own cgroup.
      if (budgeted)
        dep.servers.forEach((server, i) => {
          const budget = cpuBudget(`${count}-${i}`, SETTINGS.share, SETTINGS.periodUs);
          budget.add(server.pid);
          budgets.push(budget);
        });
      await settle(2000);
      const bg = await background(dep, SETTINGS.backgroundMs);
      const c = SETTINGS.perInstance * count;
      const tries: BudgetRow[] = [];
      for (let t = 0; t < SETTINGS.tries; t++) {
        const before: ThrottleStats[] = budgets.map((b) => b.stats());
        const w = await loginWindow(dep, (worker) => phones[worker] ?? '', c, SETTINGS.warmUpMs, SETTINGS.windowMs);
        // The throttle counters span the warm-up too: a share of periods, not a window's count.
        const throttle = budgets.map((b, i) => throttleDelta(before[i] ?? b.stats(), b.stats()));
        const budgetMs = w.seconds * 1000 * SETTINGS.share;
        const row: BudgetRow = {
          instances: count,
          logins: loginFigures(w, CORES, bg),
          budgetUsedPercent: w.serverCpuMsEach.map((ms) => round((ms / budgetMs) * 100, 1)),
          throttledPercent: throttle.map((t) => round((t.throttled / Math.max(1, t.periods)) * 100, 1)),
          redisCorePercent: round((w.redis.cpuMs / (w.seconds * 1000)) * 100, 1),
          tries: [],
        };
        progress(
          `  ${row.logins.loginsPerSecond} logins/s; budget used ${row.budgetUsedPercent.join(', ')} %; server ${row.logins.serverCpuMsPerLogin} ms, Redis ${row.logins.redis.commands} cmds per login`,
        );
        tries.push(row);
      }
      // The window with the median logins/s stands for N; every window's logins/s is kept.
      const sorted = [...tries].sort((a, b) => a.logins.loginsPerSecond - b.logins.loginsPerSecond);
      const median = sorted[Math.floor(sorted.length / 2)];
      if (!median) throw new Error('no window was measured');
      const row = { ...median, tries: tries.map((t) => t.logins.loginsPerSecond) };
      return row;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      if (args.includes('--logs') || failed) for (const server of dep.servers) progress(`${server.name}:\n${server.output().slice(-1500)}`);
      await stopDeployment(dep);
    }
  } finally {
    // Each cgroup is removed on its own: one that fails (a process still in it) is left for
    // removeAllBudgets() at the end, and Redis is stopped whatever happens.
    for (const budget of budgets) {
      try {
        budget.remove();
      } catch (error) {
        progress(`could not remove a cgroup yet: ${(error as Error).message}`);
      }
    }
    await redis.stop();
  }
}

function render(run: { startedAt: string; seconds: number; load: number[][]; rows: BudgetRow[] }): string {
  const m = hostInfo();
  // Logins/s per instance in the first row (N = 1 in a full run): what N instances would make if linear.
  const first = run.rows[0];
  const one = first ? first.logins.loginsPerSecond / first.instances : Number.NaN;
  const cells: Cell[][] = run.rows.map((r) => {
    const l = r.logins;
    const cells: Cell[] = [
      r.instances,
      budgeted ? round(r.instances * SETTINGS.share, 2) : 'none',
      l.loginsPerSecond,
      r.tries.join(', '),
      round(l.loginsPerSecond / r.instances, 1),
    ];
    cells.push(round(l.loginsPerSecond / (one * r.instances), 2), l.serverCpuMsPerLogin, l.instanceCpuMsPerLogin.join(', '));
    cells.push(`${Math.min(...r.budgetUsedPercent)}–${Math.max(...r.budgetUsedPercent)}`, Math.max(...r.throttledPercent));
    cells.push(l.redis.commands, l.redis.cpuMs, r.redisCorePercent, round(l.redis.netIn, 0), round(l.redis.netOut, 0));
    cells.push(l.sched.serverSleeps, l.clientCpuMsPerLogin, l.othersCpuPercent);
    return cells;
  });
  const headers = [
    'instances',
    'cores given',
    'logins/s (median window)',
    'every window',
    'per instance',
    '÷ (N × one instance)',
    'server CPU ms / login',
  ];
  headers.push('CPU ms / login by instance', 'budget used %', 'periods throttled % (most)', 'Redis cmds / login', 'Redis CPU ms / login');
  headers.push('Redis % of a core', 'Redis B in / login', 'Redis B out / login', 'instance sleeps / login', 'load gen. CPU ms / login');
  headers.push("others' CPU %");
  return [
    `# Scaling with a CPU budget per instance, ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC (${quick ? 'quick' : 'full'}, ${run.seconds} s)`,
    '',
    `Machine: ${m.cores} × ${m.cpu}; Node ${m.node}, Redis ${m.redis}; commit ${m.commit}${m.uncommitted.length ? ' with uncommitted server changes' : ''}.`,
    `Redis: ${SETTINGS.redis === 'cluster' ? 'a Cluster of 3 masters and 3 replicas (the sharded adapter, WAIT 1)' : 'one redis-server (the classic adapter)'}. ${budgeted ? `Each instance: ${SETTINGS.share} of a core (CFS quota ${round((SETTINGS.share * SETTINGS.periodUs) / 1000, 2)} ms per ${SETTINGS.periodUs / 1000} ms).` : 'The control: no budget (--no-budget), "budget used" is against a share the instances were not held to.'} Redis and the load generator: no budget.`,
    `Heavy users (${SETTINGS.fill} logins each, and each instance in ${SETTINGS.warmLogins} logins, before the budgets were set), c = ${SETTINGS.perInstance} × N; ${SETTINGS.tries} windows per N, each ${SETTINGS.warmUpMs / 1000} s warm-up and ${SETTINGS.windowMs / 1000} s measured; a row is its median window.`,
    `Load average before each N: ${run.load.map((l) => l.join(' ')).join('; ')}.`,
    '',
    table(headers, cells),
    '',
    '"budget used": each instance\'s CPU over the window ÷ its share; near 100 %, the instances are what limits the logins.',
    '"periods throttled": over the window and its warm-up. "Redis % of a core": everything Redis did in the window (its background included; the per-login figures have it taken out).',
    '"÷ (N × one instance)": logins/s against N times the first row\'s logins/s per instance (1 = linear).',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const unsupported = cpuBudgetSupport();
  if (unsupported) throw new Error(`bench:budget needs CPU budgets: ${unsupported}`);
  const started = Date.now();
  const rows: BudgetRow[] = [];
  const loads: number[][] = [];
  for (const count of SETTINGS.instances) {
    loads.push(load());
    rows.push(await measureN(count));
  }
  const run = { startedAt: new Date(started).toISOString(), seconds: Math.round((Date.now() - started) / 1000), load: loads, rows };
  const markdown = render(run);
  const [dir, base] = quick
    ? [join('bench', 'results'), `scaling-budget-quick-${SETTINGS.redis}`]
    : [
        join('bench', 'runs'),
        `${run.startedAt.slice(0, 10)}-scaling-budget${SETTINGS.redis === 'cluster' ? '-cluster' : ''}${budgeted ? '' : '-control'}`,
      ];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify({ machine: hostInfo(), settings: SETTINGS, ...run }, null, 2)}\n`);
  if (!quick) writeFileSync(join(dir, `${base}.md`), markdown);
  process.stdout.write(`${markdown}\nwrote ${join(dir, base)}.json${quick ? '' : ' and .md'}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`budget: ${signal}, stopping what it started\n`);
    void stopAll()
      .then(stopAllRedis)
      .then(removeAllBudgets)
      .finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench:budget failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await stopAllRedis();
    removeAllBudgets();
    process.exit();
  });
