/**
 * The long soak (`npm run soak`): 3,000 waiting browsers, 66 s of logins at 30/s, one instance
 * SIGKILLed and restarted, one Redis fault; on one Redis, then on a Redis Cluster (or on the
 * kind named). Prints each report and writes it to bench/runs/<date>-soak-<redis kind>.json and
 * .md. Exits 1 when a login was lost or a check failed.
 *
 * Usage: node scripts/run-ts.mjs tests/soak/run.ts [standalone|cluster] [--short] [--production-nginx]
 *   --short             the jest test's settings (600 browsers, 22 s); file name ends in -short
 *   --production-nginx  keep deploy/nginx.conf's worker_connections (the default now); name ends in -nginx
 *   SOAK_LOG_FILE=path  also append every instance's output lines to that file
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LONG_SOAK, SHORT_SOAK, runSoak } from './harness';
import { REDIS_KINDS, type RedisKind } from './redis-under-test';
import { formatMarkdown, formatTable } from './report';
import { soakProblems } from './verdict';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((arg) => arg.startsWith('--')));
  const named = args.find((arg) => !arg.startsWith('--'));
  if (named !== undefined && !(REDIS_KINDS as readonly string[]).includes(named)) {
    throw new Error(`redis kind must be one of ${REDIS_KINDS.join(', ')}`);
  }
  const unknown = [...flags].filter((flag) => flag !== '--short' && flag !== '--production-nginx');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}`);
  const settings = flags.has('--short') ? SHORT_SOAK : LONG_SOAK;
  const workerConnections = flags.has('--production-nginx') ? null : settings.workerConnections;
  const suffix = `${flags.has('--short') ? '-short' : ''}${flags.has('--production-nginx') ? '-nginx' : ''}`;
  for (const kind of named === undefined ? REDIS_KINDS : [named as RedisKind]) {
    await soak(kind, settings, workerConnections, suffix);
  }
}

async function soak(kind: RedisKind, settings: typeof LONG_SOAK, workerConnections: number | null, suffix: string): Promise<void> {
  const log = (line: string) => process.stdout.write(`[soak ${kind}] ${line}\n`);
  const report = await runSoak({ ...settings, workerConnections, redis: kind, log });
  process.stdout.write(`\n${formatTable(report)}\n`);
  const problems = soakProblems(report);
  const name = `${report.date.slice(0, 10)}-soak-${kind}${suffix}`;
  const dir = join('bench', 'runs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ ...report, problems }, null, 2)}\n`);
  writeFileSync(
    join(dir, `${name}.md`),
    formatMarkdown(report, `Soak with faults (${kind} Redis), ${report.date}`) + verdictMarkdown(problems),
  );
  process.stdout.write(`\nwritten: ${join(dir, name)}.json and .md\n`);
  if (problems.length > 0) {
    process.stdout.write(`\nFAILED:\n${problems.map((problem) => `- ${problem}`).join('\n')}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('\nPASSED: no login lost, every check held\n');
  }
}

const verdictMarkdown = (problems: readonly string[]) =>
  problems.length === 0
    ? '\n**Verdict:** passed (no login lost, every check held).\n'
    : `\n**Verdict:** failed\n\n${problems.map((problem) => `- ${problem}`).join('\n')}\n`;

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
