/**
 * @module
 * The targets of a bench run (issue 17 and BENCHMARKS.md), each with the value measured. A row
 * whose target is "(reported)" is a ratio shown either way (always met); in a quick run the
 * "10,000 idle" targets are checked at the quick run's largest level, and named with it.
 */
import type { BenchSettings } from './options';
import { type BenchResults, type CapacityVariant, EMBEDDED_CONCURRENCY, type LatencyRow, METRICS_CONCURRENCY } from './results';
import { round } from './stats';

export interface TargetCheck {
  name: string;
  value: number;
  goal: string;
  met: boolean;
}

const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : Number.NaN);
const check = (name: string, value: number, goal: string, met: boolean): TargetCheck => ({ name, value: round(value, 2), goal, met });
const reported = (name: string, value: number, goal = '(reported)') => check(name, value, goal, true);

/** Push latency: against the floor, and p99 in ms, on one instance and across three. */
function pushTargets(results: BenchResults, maxIdle: number): TargetCheck[] {
  const find = (part: LatencyRow['part'], target: LatencyRow['target'], instances: number, store: LatencyRow['store'], idle: number) =>
    results.latency.find(
      (r) => r.part === part && r.target === target && r.instances === instances && r.store === store && r.idleSockets === idle,
    )?.ms;
  const memory0 = find('single', 'qrlogin', 1, 'memory', 0);
  const memoryIdle = find('single', 'qrlogin', 1, 'memory', maxIdle);
  const cluster0 = find('redis', 'qrlogin', 3, 'redis', 0);
  const clusterIdle = find('redis', 'qrlogin', 3, 'redis', maxIdle);
  const floor0 = find('single', 'floor', 1, 'none', 0);
  const floorIdle = find('single', 'floor', 1, 'none', maxIdle);
  const p50At0 = ratio(memory0?.p50, floor0?.p50);
  const p50AtIdle = ratio(memoryIdle?.p50, floorIdle?.p50);
  const polling = ratio(results.polling?.p50, memory0?.p50);
  return [
    check('push p50 ours/floor, 1 instance, 0 idle', p50At0, '≤ 1.3', p50At0 <= 1.3),
    check(`push p50 ours/floor, 1 instance, ${maxIdle} idle`, p50AtIdle, '≤ 1.3', p50AtIdle <= 1.3),
    check(`push p99, 1 instance, ${maxIdle} idle (ms)`, memoryIdle?.p99 ?? NaN, '≤ 5', (memoryIdle?.p99 ?? Infinity) <= 5),
    check(`push p99, 3 instances, ${maxIdle} idle (ms)`, clusterIdle?.p99 ?? NaN, '≤ 10', (clusterIdle?.p99 ?? Infinity) <= 10),
    reported('push p50 3 instances/floor, 0 idle', ratio(cluster0?.p50, floor0?.p50)),
    check('polling p50 / push p50 (1 instance)', polling, '≥ 100', polling >= 100),
  ];
}

/** Throughput at concurrency 10: CPU per login against the floor's, logins/s and CPU against the peer's. */
function throughputTargets({ throughput }: BenchResults): TargetCheck[] {
  const at10 = (system: keyof BenchResults['throughput']) => throughput[system].find((r) => r.concurrency === 10);
  const peer = at10('oidcDevice');
  const fresh = at10('oidcDeviceFresh');
  const variants = [
    { label: 'the widget', ours: at10('qrlogin'), floor: at10('floor') },
    { label: 'the image loaded', ours: at10('qrloginImage'), floor: at10('floorImage') },
  ];
  const peerName = 'oidc-provider (browser logged in)';
  return [
    ...variants.map(({ label, ours, floor }) => {
      const cpu = ratio(ours?.serverCpuMsPerLogin, floor?.serverCpuMsPerLogin);
      return check(`server CPU ms/login ours/floor at c=10, ${label}`, cpu, '≤ 2', cpu <= 2);
    }),
    ...variants.map(({ label, ours }) => {
      const logins = ratio(ours?.loginsPerSecond, peer?.loginsPerSecond);
      return check(`logins/s ours/${peerName} at c=10, ${label}`, logins, '> 1', logins > 1);
    }),
    // The goal beyond the target: shown as met or not, never a gate.
    ...variants.flatMap(({ label, ours }) => {
      const logins = ratio(ours?.loginsPerSecond, peer?.loginsPerSecond);
      const cpu = ratio(ours?.serverCpuMsPerLogin, peer?.serverCpuMsPerLogin);
      return [
        check(`logins/s ours/${peerName} at c=10, ${label}: the goal`, logins, 'goal ≥ 3', logins >= 3),
        check(`server CPU ms/login ours/${peerName} at c=10, ${label}: the goal`, cpu, 'goal ≤ 0.33', cpu <= 1 / 3),
      ];
    }),
    reported(
      'logins/s ours/oidc-provider with fresh browsers at c=10, the widget',
      ratio(variants[0]?.ours?.loginsPerSecond, fresh?.loginsPerSecond),
    ),
    reported(
      'server CPU ms/login ours/oidc-provider with fresh browsers at c=10, the widget',
      ratio(variants[0]?.ours?.serverCpuMsPerLogin, fresh?.serverCpuMsPerLogin),
    ),
  ];
}

/** Waiting browsers: the time to open them against the floor's, and memory per 1,000 at every level. */
function capacityTargets({ capacity }: BenchResults, settings: BenchSettings, maxIdle: number): TargetCheck[] {
  const openImage = ratio(capacity.qrloginImage.openSeconds, capacity.floorImage.openSeconds);
  // The target holds at every level, so the worst reading counts.
  const worst = (variant: CapacityVariant) =>
    capacity[variant].readings.length ? Math.max(...capacity[variant].readings.map((r) => r.mbPer1000)) : Number.NaN;
  const levels = settings.idleLevels.join('/');
  return [
    check(`open ${maxIdle} waiting browsers that load their image, seconds ours/floor`, openImage, '≤ 2', openImage <= 2),
    reported(
      `open ${maxIdle} waiting browsers with qr:create, seconds ours/floor (a room joined)`,
      ratio(capacity.qrlogin.openSeconds, capacity.floor.openSeconds),
    ),
    ...(['qrlogin', 'qrloginImage'] as const).map((variant) => {
      const perThousand = worst(variant);
      const how = variant === 'qrlogin' ? 'qr:create' : 'the image loaded';
      return check(`MB per 1,000 waiting browsers, ${how}, worst of ${levels}`, perThousand, '≤ 20', perThousand <= 20);
    }),
  ];
}

/** The embedded store and metrics, each against its own baseline measured beside it. */
function neighbourTargets({ latency, embeddedVsMemory, metricsCost }: BenchResults): TargetCheck[] {
  const p50 = (part: LatencyRow['part'], store: LatencyRow['store']) =>
    latency.find((r) => r.part === part && r.target === 'qrlogin' && r.instances === 1 && r.store === store && r.idleSockets === 0)?.ms.p50;
  const embeddedPush = ratio(p50('embedded', 'embedded'), p50('embedded', 'memory'));
  const embeddedLogins = ratio(embeddedVsMemory?.embedded.loginsPerSecond, embeddedVsMemory?.memory.loginsPerSecond);
  const metricsPush = ratio(metricsCost?.push.on.p50, metricsCost?.push.off.p50);
  const metricsLogins = ratio(metricsCost?.on.loginsPerSecond, metricsCost?.off.loginsPerSecond);
  return [
    check("embedded push p50 within 10 % of memory's (embedded/memory, interleaved)", embeddedPush, '≤ 1.10', embeddedPush <= 1.1),
    check(
      `embedded logins/s within 10 % of memory's (embedded/memory, c=${EMBEDDED_CONCURRENCY}, ABBA)`,
      embeddedLogins,
      '≥ 0.90',
      embeddedLogins >= 0.9,
    ),
    check('metrics push p50 within 5 % of METRICS=off (on/off, interleaved)', metricsPush, '≤ 1.05', metricsPush <= 1.05),
    check(
      `metrics logins/s within 5 % of METRICS=off (on/off, c=${METRICS_CONCURRENCY}, pairs, ABBA)`,
      metricsLogins,
      '≥ 0.95',
      metricsLogins >= 0.95,
    ),
  ];
}

/** Every target, with the value measured (NaN where its part did not run: a check is then not met). */
export function targets(results: BenchResults, settings: BenchSettings, maxIdle: number): TargetCheck[] {
  return [
    ...pushTargets(results, maxIdle),
    ...throughputTargets(results),
    ...capacityTargets(results, settings, maxIdle),
    ...neighbourTargets(results),
  ];
}
