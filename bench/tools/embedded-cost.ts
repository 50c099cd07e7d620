/**
 * Where the embedded store's time goes, beside the memory store (one instance each, both
 * running): the wall time of each step of a login that writes, one at a time, and the server
 * CPU of the login loop split by thread (the JS main thread, LMDB's write thread, the rest),
 * with the write and sync work the kernel counts for the process.
 *   node scripts/run-ts.mjs bench/tools/embedded-cost.ts [n=1000] [windowMs=5000]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { GeneData } from '../../shared/http';
import { closeIdleConnections } from '../lib/http';
import { stopAll } from '../lib/processes';
import { confirm, exchange, gene, registerPhone, scan } from '../lib/qrlogin';
import { type Server, startQrlogin } from '../lib/targets';
import { summarize } from '../lib/stats';
import { qrloginThroughput } from '../scenarios/throughput';
import { connect, next, request } from '../lib/sockets';
import type { Ack, QrSnapshot } from '../../shared/protocol';

const N = Number(process.argv[2] ?? 1000);
const WINDOW_MS = Number(process.argv[3] ?? 5000);
const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

/** CPU ms of every thread of `pid` (and the kernel's share of it), by thread id. */
function threads(pid: number): Map<number, { ms: number; systemMs: number }> {
  const out = new Map<number, { ms: number; systemMs: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), { ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS, systemMs: Number(fields[12]) * TICK_MS });
    } catch {
      // The thread ended in between.
    }
  }
  return out;
}

/** The kernel's I/O counters of `pid` (write system calls, bytes written to storage). */
function io(pid: number): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/io`, 'utf8').split('\n')) {
    const [key, value] = line.split(':');
    if (key && value) values[key] = Number(value.trim());
  }
  return values;
}

/** Server CPU per login by thread, and I/O per login, over one login-loop window at `concurrency`. */
async function split(server: Server, concurrency: number): Promise<Record<string, string>> {
  const pid = server.process.pid;
  // The loop reads the server's CPU when its window opens and once every worker has stopped:
  // the threads and I/O are read at the same two moments, so they cover what its CPU figure covers.
  const readings: { threads: ReturnType<typeof threads>; io: Record<string, number> }[] = [];
  const watched = { ...server.process, cpuMs: () => (readings.push({ threads: threads(pid), io: io(pid) }), server.process.cpuMs()) };
  const result = await qrloginThroughput(watched, server.url, concurrency, WINDOW_MS);
  const [{ threads: t0, io: io0 }, { threads: t1, io: io1 }] = [readings[0]!, readings.at(-1)!];
  const span = result.logins;
  const per = (ms: number) => (ms / span).toFixed(3);
  // Every thread is named `node`: the main thread is the one whose id is the pid. LMDB's commits
  // and syncs run off it (on the embedded store the other threads' share grows, spread over several).
  const delta = (tid: number, pick: (t: { ms: number; systemMs: number }) => number) =>
    pick(t1.get(tid)!) - pick(t0.get(tid) ?? { ms: 0, systemMs: 0 });
  const tids = [...t1.keys()];
  const others = tids.filter((tid) => tid !== pid).map((tid) => delta(tid, (t) => t.ms));
  const busiest = Math.max(0, ...others);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const rows: Record<string, string> = { 'logins/s': result.loginsPerSecond.toFixed(0) };
  rows['CPU ms/login, all'] = per(sum(tids.map((tid) => delta(tid, (t) => t.ms))));
  rows['of which in the kernel'] = per(sum(tids.map((tid) => delta(tid, (t) => t.systemMs))));
  rows['main thread (JS)'] = per(delta(pid, (t) => t.ms));
  rows['busiest other thread'] = per(busiest);
  rows['all other threads'] = per(sum(others) - busiest);
  rows['write syscalls/login'] = ((io1.syscw! - io0.syscw!) / span).toFixed(1);
  rows['KiB written to storage/login'] = ((io1.write_bytes! - io0.write_bytes!) / 1024 / span).toFixed(1);
  return rows;
}

/** The wall time of each writing step, one login at a time (ms; 100 warm-up logins left out). */
async function steps(server: Server): Promise<Record<string, string>> {
  const base = server.url;
  const token = await registerPhone(base);
  const names = ['gene (1 write)', 'scanned (2 writes)', 'confirm → push (1 write)', 'confirm → answer (2 writes)', 'userinfo (1 write)'];
  const times = names.map(() => [] as number[]);
  const [geneMs, scanMs, pushMs, answerMs, exchangeMs] = times as [number[], number[], number[], number[], number[]];
  const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
  for (let i = 0; i < N + 100; i += 1) {
    let t = process.hrtime.bigint();
    const qr: GeneData = await gene(base);
    geneMs.push(since(t));
    const socket = await connect(base);
    const subscribed = await request<Ack<QrSnapshot>>(socket, 'qr:subscribe', { random: qr.random, secret: qr.secret });
    if (!subscribed.ok) throw new Error('qr:subscribe');
    t = process.hrtime.bigint();
    await scan(base, token, qr.random);
    scanMs.push(since(t));
    const pushed = next<{ random: string; ticket?: string }>(socket, 'qr:confirmed', (push) => push.random === qr.random);
    const sent = process.hrtime.bigint();
    const answered = confirm(base, token, qr.random).then(() => answerMs.push(since(sent)));
    const { ticket } = await pushed;
    pushMs.push(since(sent));
    await answered;
    t = process.hrtime.bigint();
    await exchange(base, ticket!, qr.secret);
    exchangeMs.push(since(t));
    socket.close();
  }
  const rows: Record<string, string> = {};
  names.forEach((name, index) => {
    const s = summarize(times[index]!.slice(100));
    rows[name] = `p50 ${s.p50.toFixed(3)} p95 ${s.p95.toFixed(3)}`;
  });
  return rows;
}

async function main() {
  const servers = {
    memory: await startQrlogin({ name: 'qrlogin memory', store: 'memory' }),
    embedded: await startQrlogin({ name: 'qrlogin embedded', store: 'embedded' }),
  };
  const table = (rows: Record<string, Record<string, string>>) => console.table(rows);
  const stepRows: Record<string, Record<string, string>> = {};
  for (const [name, server] of Object.entries(servers)) stepRows[name] = await steps(server);
  console.log('Wall time per step, one login at a time (ms)');
  table(stepRows);
  for (const concurrency of [1, 10, 50]) {
    const rows: Record<string, Record<string, string>> = {};
    // ABBA, so drift falls on both.
    const first = { memory: await split(servers.memory, concurrency), embedded: await split(servers.embedded, concurrency) };
    const second = { embedded: await split(servers.embedded, concurrency), memory: await split(servers.memory, concurrency) };
    rows['memory (A)'] = first.memory;
    rows['memory (A′)'] = second.memory;
    rows['embedded (B)'] = first.embedded;
    rows['embedded (B′)'] = second.embedded;
    console.log(`Login loop at concurrency ${concurrency}, ${WINDOW_MS} ms windows: server CPU by thread and I/O`);
    table(rows);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    closeIdleConnections();
    await stopAll();
  });
