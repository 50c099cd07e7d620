import { appendFileSync } from 'node:fs';
/**
 * @module
 * The soak's deployment: the Redis under test, the built server as separate processes on one
 * key prefix (they share the generated signing key and demo secret through it), and nginx
 * with deploy/nginx.conf in front; clients reach nginx only. Rate limits and the per-address
 * socket cap are off (load from one machine); QR codes live long enough for the waiting pool.
 * The instances log at `info`: the audit lines (`ticket.redeemed`) are read to judge retried
 * redemptions, and warnings/errors are summarised in the report.
 */
import { randomBytes } from 'node:crypto';
import { type Instances, startInstances } from '../helpers/instances';
import { freePort } from '../helpers/redis-server';
import { type Balancer, startBalancer } from './balancer';
import { type RedisKind, type RedisUnderTest, startRedisUnderTest } from './redis-under-test';

export const SOAK_ISSUER = 'https://login.soak.test';

export interface TopologyOptions {
  redis: RedisKind;
  instances: number;
  qrTtlSeconds: number;
  /** nginx `worker_connections` override (null: deploy/nginx.conf's). */
  workerConnections: number | null;
}

export interface Topology {
  redis: RedisUnderTest;
  balancer: Balancer;
  instances: Instances;
  /** The demo app's secret (server-side ticket exchange). */
  appSecret: string;
  prefix: string;
  /** Whether an instance logged `ticket.redeemed` for `random` (waits up to 2 s for it). */
  audited(random: string): Promise<boolean>;
  /** `qrlogin_sockets` of instance `i` (its own /metrics, not through nginx); -1 when down. */
  socketsOf(i: number): Promise<number>;
  /** Warning and error lines of every instance, counted by message. */
  logSummary(): Record<string, number>;
  close(): Promise<void>;
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const prefix = `qrlogin-soak:${randomBytes(6).toString('base64url')}:`;
  const redis = await startRedisUnderTest(options.redis, prefix);
  const cleanups: (() => Promise<void>)[] = [() => redis.dispose()];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
    const balancer = await startBalancer(
      ports.map((port) => `127.0.0.1:${port}`),
      { workerConnections: options.workerConnections },
    );
    cleanups.push(() => balancer.close());
    const appSecret = randomBytes(24).toString('base64url');
    const redeemed = new Set<string>();
    const instances = await startInstances(options.instances, {
      ports,
      env: {
        ...redis.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        ISSUER: SOAK_ISSUER,
        PUBLIC_URL: balancer.url,
        REDIS_KEY_PREFIX: prefix,
        QRLOGIN_DEMO_APP_SECRET: appSecret,
        RATE_LIMITS: 'off',
        MAX_SOCKETS_PER_IP: '0',
        QR_TTL_SECONDS: String(options.qrTtlSeconds),
        DEMO_PAGES: 'false',
      },
      onLine: (index, line) => {
        // Every instance's output, for tracing a lost login afterwards.
        if (process.env.SOAK_LOG_FILE) appendFileSync(process.env.SOAK_LOG_FILE, `${index} ${line}\n`);
        if (!line.includes('"event":"ticket.redeemed"')) return;
        const random = (JSON.parse(line) as { random?: unknown }).random;
        if (typeof random === 'string') redeemed.add(random);
      },
    });
    cleanups.push(() => instances.stopAll());
    return {
      redis,
      balancer,
      instances,
      appSecret,
      prefix,
      async audited(random) {
        const deadline = Date.now() + 2_000;
        while (!redeemed.has(random) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        return redeemed.has(random);
      },
      async socketsOf(i) {
        const instance = instances.at(i);
        if (!instance.running()) return -1;
        const text = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then(
          (response) => response.text(),
          () => '',
        );
        const match = /^qrlogin_sockets(?:\{[^}]*\})? (\d+)/m.exec(text);
        return match?.[1] === undefined ? -1 : Number(match[1]);
      },
      logSummary() {
        const counts: Record<string, number> = {};
        for (const instance of instances.all) {
          for (const line of instance.problems()) {
            let key = line.slice(0, 120);
            try {
              const parsed = JSON.parse(line) as { level?: string; msg?: string; error?: unknown };
              const error =
                typeof parsed.error === 'object' && parsed.error !== null ? (parsed.error as { message?: unknown }).message : parsed.error;
              key = `${parsed.level ?? '?'}: ${parsed.msg ?? '?'}${error === undefined ? '' : ` (${String(error).slice(0, 80)})`}`;
            } catch {
              // not JSON: keep the raw start
            }
            counts[key] = (counts[key] ?? 0) + 1;
          }
        }
        return counts;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
