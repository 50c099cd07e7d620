/**
 * `REDIS_WAIT_REPLICAS` on a Redis whose replicas do not answer (here: it has none). `WAIT`
 * holds back every later command on its connection, so confirmations must not queue one
 * 250 ms wait each behind another: at most one is in flight, and after one came back short the
 * node is not waited for during 5 s. The instance stays ready and quick meanwhile.
 */
import { createClient } from 'redis';
import { createRedisBackend } from '../../server/backend/redis';
import { createLogger } from '../../server/logger';
import { confirmed, scanned, sessionFixture } from '../contract/store-fixtures';
import { type ThrowawayRedis, startThrowawayRedis } from '../helpers/redis-server';

let redis: ThrowawayRedis;
beforeAll(async () => {
  redis = await startThrowawayRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

async function waitCalls(): Promise<number> {
  const client = createClient({ url: redis.url });
  await client.connect();
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  await client.close();
  return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

test('12 concurrent confirmations with no replica answering: one WAIT, no queue of waits, ping stays quick', async () => {
  const lines: string[] = [];
  const backend = await createRedisBackend({
    target: { kind: 'standalone', url: redis.url },
    prefix: 'wait-test:',
    signingKey: null,
    keyRetainMs: 60_000,
    waitReplicas: 1,
    logger: createLogger('debug', (line) => lines.push(line)),
    now: Date.now,
  });
  try {
    const qr = backend.stores.qr;
    const now = Date.now();
    const sessions = Array.from({ length: 12 }, () => scanned(sessionFixture(now)));
    for (const session of sessions) expect(await qr.create(session)).toBe(true);
    const before = await waitCalls();

    const started = Date.now();
    const confirms = sessions.map((session) => {
      const { next, ticket } = confirmed(session, now);
      return qr.compareAndSet(next, session.version, ticket).then((ok) => ({ ok, ms: Date.now() - started }));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const pingStarted = Date.now();
    await backend.ping();
    const pingMs = Date.now() - pingStarted;
    const results = await Promise.all(confirms);

    expect(results.every((result) => result.ok)).toBe(true);
    // One WAIT of at most 250 ms, then the node is skipped: nobody waits 12 × 250 ms.
    expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(1_000);
    expect(pingMs).toBeLessThan(500);
    expect((await waitCalls()) - before).toBeLessThanOrEqual(2);
    expect(lines.filter((line) => line.includes('before its replicas hold it'))).toHaveLength(1);
  } finally {
    await backend.close();
  }
});
