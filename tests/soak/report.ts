/**
 * @module
 * The soak's report: built from the login records and the phases' results, printed as a
 * table, and written as JSON and Markdown (the long run keeps both in bench/runs/).
 */
import type { FaultPlan, KillRecord, RedisFaultRecord, UnavailableWindow } from './faults';
import type { FinalResult } from './final';
import { type LoginRecord, isLost } from './logins';
import type { StormResult } from './storm';

export interface SoakReport {
  date: string;
  redis: string;
  settings: Record<string, number | string | null>;
  plan: FaultPlan;
  durationsMs: { setup: number; steady: number; drain: number; final: number; total: number };
  logins: {
    started: number;
    confirmed: number;
    confirmedOk: number;
    /** Retried confirms proven by the QR's status. */
    confirmedProven: number;
    delivered: number;
    deliveredPush: number;
    deliveredSnapshot: number;
    redeemed: number;
    redeemedProven: number;
    lost: number;
    /** Stopped before a confirm was answered, by cause. */
    abandoned: number;
    abandonedCauses: Record<string, number>;
    delayed: number;
  };
  /** Confirm's 200 → ticket at the browser, ms (200-answered confirms). */
  latencyMs: { n: number; p50: number; p99: number; max: number };
  retries: Record<string, number>;
  refused: Record<string, number>;
  kill: KillRecord;
  storm: StormResult;
  redisFault: RedisFaultRecord & { unavailable: UnavailableWindow };
  final: FinalResult;
  lostLogins: { id: number; random: string | null; path: string }[];
  /** Instances' warn/error lines by message. */
  serverLog: Record<string, number>;
  nginx: { workerConnections: number; productionValue: boolean; errorLog: Record<string, number> };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? 0;
}

/** A cause without its ids and numbers, to group by. */
const causeOf = (text: string) =>
  text
    .replace(/browser \d+/g, 'browser N')
    .replace(/\d+ (ms|attempts)/g, 'N $1')
    .slice(0, 160);

export function loginSummary(records: readonly LoginRecord[]): Pick<SoakReport, 'logins' | 'latencyMs' | 'lostLogins'> {
  const confirmed = records.filter((record) => record.confirm !== null);
  const delivered = confirmed.filter((record) => record.delivered !== null);
  const redeemed = confirmed.filter((record) => record.redeem === 'ok' || record.redeem === 'proven');
  const abandonedCauses: Record<string, number> = {};
  for (const record of records) {
    if (record.abandoned !== null) abandonedCauses[causeOf(record.abandoned)] = (abandonedCauses[causeOf(record.abandoned)] ?? 0) + 1;
  }
  const lost = confirmed.filter(isLost);
  const latencies = confirmed
    .map((record) => record.latencyMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  return {
    logins: {
      started: records.length,
      confirmed: confirmed.length,
      confirmedOk: confirmed.filter((record) => record.confirm === 'ok').length,
      confirmedProven: confirmed.filter((record) => record.confirm === 'proven').length,
      delivered: delivered.length,
      deliveredPush: delivered.filter((record) => record.delivered === 'push').length,
      deliveredSnapshot: delivered.filter((record) => record.delivered === 'snapshot').length,
      redeemed: redeemed.length,
      redeemedProven: redeemed.filter((record) => record.redeem === 'proven').length,
      lost: lost.length,
      abandoned: records.filter((record) => record.abandoned !== null).length,
      abandonedCauses,
      delayed: records.filter((record) => record.delayMs > 0).length,
    },
    latencyMs: {
      n: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? 0,
    },
    lostLogins: lost.slice(0, 50).map((record) => ({ id: record.id, random: record.random, path: record.lostPath ?? 'unknown' })),
  };
}

const entries = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ') || 'none';

/** The report as rows of (what, value). */
export function reportRows(report: SoakReport): [string, string][] {
  const { logins, latencyMs, storm, redisFault, final } = report;
  const u = redisFault.unavailable;
  return [
    ['redis', report.redis],
    ['settings', entries(report.settings as Record<string, number>)],
    ['durations (ms)', entries(report.durationsMs)],
    ['logins started', String(logins.started)],
    ['confirmed (200 / proven after retry)', `${logins.confirmed} (${logins.confirmedOk} / ${logins.confirmedProven})`],
    ['delivered (push / snapshot)', `${logins.delivered} (${logins.deliveredPush} / ${logins.deliveredSnapshot})`],
    ['redeemed (proven after retry)', `${logins.redeemed} (${logins.redeemedProven})`],
    ['LOST', String(logins.lost)],
    ['abandoned before a confirm', `${logins.abandoned} (${entries(logins.abandonedCauses)})`],
    ['phones that waited 2–5 s', String(logins.delayed)],
    ['confirm → ticket p50 / p99 / max (ms)', `${latencyMs.p50} / ${latencyMs.p99} / ${latencyMs.max} (n=${latencyMs.n})`],
    ['retries by cause', entries(report.retries)],
    ['subscriptions refused', entries(report.refused)],
    [
      'kill -9',
      `instance ${report.kill.instance} at +${report.kill.atMs} ms, ${storm.socketsBefore} sockets; ready again ${storm.restartedAfterMs} ms after`,
    ],
    ['storm: browsers moved (waiting)', `${storm.moved} (${storm.movedWaiting})`],
    [
      'storm: all re-subscribed after (ms)',
      `${storm.allResubscribedMs ?? `NOT ALL (${storm.stranded} stranded)`}; p50 ${storm.p50Ms}, p99 ${storm.p99Ms}`,
    ],
    ['storm: reconnected after (ms)', `p50 ${storm.connectedP50Ms}, p99 ${storm.connectedP99Ms} (the connect before the subscribe's ack)`],
    ['storm: refused / ack timeouts / connect timeouts', `${storm.refused} / ${storm.ackTimeouts} / ${storm.connectTimeouts}`],
    ['storm: connect errors', entries(storm.connectErrors)],
    ['redis fault', `${redisFault.kind} at +${redisFault.atMs} ms: ${redisFault.what}; down ${redisFault.downMs} ms`],
    [
      '503s observed',
      `${u.count} over ${u.observedMs} ms (first +${u.firstMs} ms, last +${u.lastMs} ms after the fault began); elsewhere ${u.elsewhere}`,
    ],
    [
      '503s by instance (count, first–last ms after the fault)',
      Object.entries(u.byInstance)
        .map(([name, seen]) => `${name}: ${seen.count}, ${seen.firstMs}–${seen.lastMs}`)
        .join('; ') || 'none',
    ],
    [
      'final: waiting connected / subscribed',
      `${final.connected} / ${final.subscribed} of ${final.waiting} (settled in ${final.settleMs} ms)`,
    ],
    ['final: sentinel scan pushes', `${final.sentinel.pushed} of ${final.sentinel.sampled}`],
    ['final: subscribe round trip ok', `${final.roundTrip.ok} of ${final.waiting}; failed ${entries(final.roundTrip.failed)}`],
    [
      'nginx',
      `worker_connections ${report.nginx.workerConnections}${report.nginx.productionValue ? ' (production)' : " (changed from deploy/nginx.conf's: two per proxied WebSocket)"}; errors ${entries(report.nginx.errorLog)}`,
    ],
    ['server warn/error lines', entries(report.serverLog)],
  ];
}

export function formatTable(report: SoakReport): string {
  const rows = reportRows(report);
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`);
  for (const lost of report.lostLogins) lines.push(`lost login ${lost.id} (${lost.random}): ${lost.path}`);
  return lines.join('\n');
}

export function formatMarkdown(report: SoakReport, title: string): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `# ${title}`,
    '',
    '| what | value |',
    '|---|---|',
    ...reportRows(report).map(([key, value]) => `| ${cell(key)} | ${cell(value)} |`),
  ];
  if (report.lostLogins.length > 0) {
    lines.push('', '## Lost logins', '', ...report.lostLogins.map((lost) => `- ${lost.id} (${lost.random}): ${cell(lost.path)}`));
  }
  return `${lines.join('\n')}\n`;
}
