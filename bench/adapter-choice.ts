/**
 * Classic vs sharded Socket.IO Redis adapter, measured on qrlogin itself: N instances (three
 * by default) on one Redis, the browser's socket on A, the QR created and scanned on B,
 * confirmed on C, idle browsers spread over all N (so every instance has rooms).
 * Latency is from sending the confirm request to the browser receiving `qr:confirmed`.
 * Redis work is read from INFO (commands processed, pub/sub channels) around the run.
 *   node scripts/run-ts.mjs bench/adapter-choice.ts [logins=500] [sockets=200] [instances=3]
 */
import { randomBytes } from 'node:crypto';
import type { AdapterKind } from '../server/backend/redis';
import type { AnyRedisClient } from '../server/backend/redis/stores';
import { EVENTS } from '../shared/protocol';
import { summarize } from './lib/stats';
import { api } from '../tests/helpers/api';
import { startCluster } from '../tests/helpers/cluster';
import { confirm, gene, registerUser, scan } from '../tests/helpers/flow';
import { closeAllSockets, connect, waitFor } from '../tests/helpers/sockets';

const LOGINS = Number(process.argv[2] ?? 500);
const IDLE = Number(process.argv[3] ?? 200);
const INSTANCES = Math.max(3, Number(process.argv[4] ?? 3));

async function info(client: AnyRedisClient): Promise<Record<string, number>> {
  const text = String(await client.info());
  const values: Record<string, number> = {};
  for (const line of text.split('\r\n')) {
    const [key, value] = line.split(':');
    if (key && value !== undefined && /^\d+$/.test(value)) values[key] = Number(value);
  }
  return values;
}

async function run(adapter: AdapterKind) {
  const prefix = `qrlogin-bench:${randomBytes(4).toString('hex')}:`;
  const cluster = await startCluster(INSTANCES, { adapter, prefix, env: { LOG_LEVEL: 'warn', RATE_LIMITS: 'off' } });
  const [a, b, c] = [cluster.at(0), cluster.at(1), cluster.at(2)];
  const phone = await registerUser(api(b.url));
  // Idle browsers waiting on other QR codes, spread over the instances (rooms everywhere).
  for (let i = 0; i < IDLE; i += 1) {
    const server = cluster.at(i % INSTANCES);
    const qr = await gene(api(server.url));
    const socket = await connect(server.url);
    await socket.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  }
  const browser = await connect(a.url);
  const before = await info(cluster.redis);
  const started = process.cpuUsage();
  const latencies: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < LOGINS; i += 1) {
    const qr = await gene(api(b.url));
    await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
    await scan(api(b.url), phone.token, qr.random);
    const pushed = waitFor(browser, EVENTS.confirmed);
    const sent = process.hrtime.bigint();
    const confirmed = confirm(api(c.url), phone.token, qr.random);
    await pushed;
    latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
    await confirmed;
    await browser.emitWithAck(EVENTS.unsubscribe, { random: qr.random });
  }
  const elapsed = Date.now() - t0;
  const cpu = process.cpuUsage(started);
  const after = await info(cluster.redis);
  const { p50, p95, p99 } = summarize(latencies);
  const result = {
    adapter,
    instances: INSTANCES,
    logins: LOGINS,
    idleSockets: IDLE,
    p50,
    p95,
    p99,
    redisCommandsPerLogin: ((after.total_commands_processed ?? 0) - (before.total_commands_processed ?? 0)) / LOGINS,
    pubsubShardChannels: after.pubsubshard_channels ?? 0,
    processCpuMsPerLogin: (cpu.user + cpu.system) / 1000 / LOGINS,
    loginsPerSecond: (LOGINS * 1000) / elapsed,
  };
  closeAllSockets();
  await cluster.close();
  return result;
}

async function main() {
  const results = [];
  for (const adapter of ['classic', 'sharded', 'classic', 'sharded'] as const) results.push(await run(adapter));
  console.table(
    results.map((r) => ({
      adapter: r.adapter,
      instances: r.instances,
      'p50 ms': r.p50.toFixed(2),
      'p95 ms': r.p95.toFixed(2),
      'p99 ms': r.p99.toFixed(2),
      'Redis cmds/login': r.redisCommandsPerLogin.toFixed(1),
      'CPU ms/login (instances + clients)': r.processCpuMsPerLogin.toFixed(2),
      'logins/s (sequential)': r.loginsPerSecond.toFixed(0),
    })),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
