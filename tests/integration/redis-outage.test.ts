/**
 * Redis going away under two running instances: a throwaway `redis-server` of this test's
 * own (free port, append-only file), killed with SIGKILL in the middle of flows and started
 * again. The instances must answer 503 at once meanwhile, report not-ready, reconnect and
 * re-subscribe by themselves, and lose nothing that was confirmed.
 */
import { API, type CheckData, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { type ApiResponse, api, dataOf } from '../helpers/api';
import { type Cluster, startCluster } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type ThrowawayRedis, startThrowawayRedis } from '../helpers/redis-server';
import { type ClientSocket, closeAllSockets, connect, recordPushes, waitFor, waitUntil } from '../helpers/sockets';
import { sleep } from '../helpers/time';

let redis: ThrowawayRedis;
let cluster: Cluster;

beforeEach(async () => {
  redis = await startThrowawayRedis();
});

afterEach(async () => {
  await redis.dispose();
});

describe('two instances', () => {
  beforeEach(async () => {
    cluster = await startCluster(2, { url: redis.url });
  });

  afterEach(async () => {
    closeAllSockets();
    await cluster.close();
  });

  /** Polls `/readyz` of `url` until it answers `status`. */
  async function readyzBecomes(url: string, status: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === status) return;
      if (Date.now() > deadline) throw new Error(`/readyz stayed ${response.status}, wanted ${status}`);
      await sleep(50);
    }
  }

  /** A subscribed browser socket on `url`, counting its disconnects. */
  async function browserOn(url: string, random: string, secret: string): Promise<{ socket: ClientSocket; disconnects: string[] }> {
    const socket = await connect(url);
    const disconnects: string[] = [];
    socket.on('disconnect', (reason) => disconnects.push(reason));
    const ack = await socket.emitWithAck(EVENTS.subscribe, { random, secret });
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    return { socket, disconnects };
  }

  function expectUnavailable(response: ApiResponse<unknown>): void {
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 503, message: expect.stringMatching(/unavailable/i), data: null });
    expect(response.headers.get('retry-after')).toBe('1');
  }

  /**
   * A browser on A waits on a QR scanned through B, whose confirmation then reaches the store
   * but is never published (as when B's publish is lost with its Redis connection).
   */
  async function unpushedConfirmation() {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const phone = await registerUser(api(a.url));
    const qr = await gene(api(a.url));
    const browser = await browserOn(a.url, qr.random, qr.secret);
    const scanned = waitFor(browser.socket, EVENTS.scanned);
    await scan(api(b.url), phone.token, qr.random);
    await scanned;
    const stored = await b.app.stores.qr.get(qr.random);
    if (!stored) throw new Error('session missing');
    const ticket = 't'.repeat(43);
    const version = stored.version + 1;
    const next = { ...stored, status: QR_STATUS.CONFIRMED, version, ticket, ticketExpireAt: Date.now() + 60_000 };
    expect(await b.app.stores.qr.compareAndSet(next, stored.version)).toBe(true);
    return { a, b, qr, browser, version, ticket };
  }

  test('Redis killed mid-flow: 503 at once and not ready meanwhile; afterwards pushes flow again on the same sockets and nothing confirmed is lost', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const phone = await registerUser(api(a.url), 'Dora');

    // Flow 1 is confirmed before the crash; its ticket is not exchanged yet.
    const qr1 = await gene(api(a.url));
    const browser1 = await browserOn(a.url, qr1.random, qr1.secret);
    const confirmed1 = waitFor(browser1.socket, EVENTS.confirmed);
    await scan(api(b.url), phone.token, qr1.random);
    await confirm(api(b.url), phone.token, qr1.random);
    const ticket1 = (await confirmed1).ticket;

    // Flow 2 is scanned before the crash and confirmed after it.
    const qr2 = await gene(api(a.url));
    const browser2 = await browserOn(a.url, qr2.random, qr2.secret);
    const scanned2 = waitFor(browser2.socket, EVENTS.scanned);
    await scan(api(b.url), phone.token, qr2.random);
    await scanned2;

    await redis.kill();

    await readyzBecomes(a.url, 503);
    await readyzBecomes(b.url, 503);
    const readyz = (await (await fetch(`${a.url}/readyz`)).json()) as { status: string };
    expect(readyz.status).toBe('not ready');

    // Requests during the outage get a clear 503 promptly (the fetch gives up after 5 s).
    const signal = () => ({ signal: AbortSignal.timeout(5_000) });
    const duringGene = await fetch(`${a.url}${API.gene}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      ...signal(),
    });
    expectUnavailable({ status: duringGene.status, headers: duringGene.headers, body: (await duringGene.json()) as never });
    expectUnavailable(await api(b.url).post(API.confirm, { random: qr2.random }, bearer(phone.token)));
    expectUnavailable(await api(b.url).get(`${API.check}?random=${qr1.random}`));
    expectUnavailable(await api(a.url).post(API.login, { username: 'nobody', password: 'whatever it is' }));
    const socketCreate = await browser2.socket.timeout(5_000).emitWithAck(EVENTS.create, {});
    expect(socketCreate).toEqual({ ok: false, error: { code: 503, message: expect.any(String) } });
    // No error log for an outage answered with 503 (it is not a bug), and no secrets anywhere.
    for (const server of [a, b]) {
      expect(server.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
      expect(server.logs.join('\n')).not.toContain(phone.token);
    }

    await redis.start();
    await readyzBecomes(a.url, 200);
    await readyzBecomes(b.url, 200);

    // The browser socket never dropped: its instance re-subscribed to Redis by itself.
    const confirmed2 = waitFor(browser2.socket, EVENTS.confirmed);
    await confirm(api(b.url), phone.token, qr2.random);
    expect(await confirmed2).toMatchObject({ random: qr2.random, status: QR_STATUS.CONFIRMED, ticket: expect.any(String) });
    expect(browser2.disconnects).toEqual([]);

    // What was confirmed before the crash is still redeemable, once.
    const user1 = dataOf(await api(b.url).post<UserInfoData>(API.userinfo, { ticket: ticket1 }, bearer(b.demoAppSecret)));
    expect(user1).toMatchObject({ id: phone.user.id, nickname: 'Dora' });

    // And new flows work across the instances.
    const qr3 = await gene(api(b.url));
    const browser3 = await browserOn(b.url, qr3.random, qr3.secret);
    const confirmed3 = waitFor(browser3.socket, EVENTS.confirmed);
    await scan(api(a.url), phone.token, qr3.random);
    await confirm(api(a.url), phone.token, qr3.random);
    expect(await confirmed3).toMatchObject({ random: qr3.random, status: QR_STATUS.CONFIRMED });
  });

  test('an instance that lost its own publishes asks the others to re-send: a subscriber on another instance gets the state', async () => {
    const { b, qr, browser, version } = await unpushedConfirmation();

    // What B does once its connections are back (its own rooms are empty here).
    const pushed = waitFor(browser.socket, EVENTS.confirmed);
    b.app.io.serverSideEmit('qrlogin:resync');
    expect(await pushed).toMatchObject({ random: qr.random, status: QR_STATUS.CONFIRMED, version });
  });

  test('a Redis that hangs (SIGSTOP) with its connections open: 503 within the deadline, not ready, and back after SIGCONT', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const phone = await registerUser(api(a.url));
    const qr = await gene(api(a.url));
    const browser = await browserOn(a.url, qr.random, qr.secret);
    const pushes = recordPushes(browser.socket);
    await scan(api(b.url), phone.token, qr.random);

    redis.pause();
    try {
      const started = Date.now();
      expectUnavailable(await api(b.url).post(API.confirm, { random: qr.random }, bearer(phone.token)));
      // Not a hang: an answer within a few store deadlines (REDIS_DEADLINE_MS, 2 s), long
      // before the test's own timeout. (Speed is the benchmark's business, not this test's.)
      expect(Date.now() - started).toBeLessThan(15_000);
      await readyzBecomes(a.url, 503);
    } finally {
      redis.resume();
    }
    await readyzBecomes(a.url, 200);
    await readyzBecomes(b.url, 200);
    // The confirm that timed out may still run when Redis wakes up (it was already sent); either
    // way the QR ends confirmed once, and the browser's socket gets the push.
    const decision = await api(b.url).post(API.confirm, { random: qr.random }, bearer(phone.token));
    expect([200, 2243]).toContain(decision.body.code);
    await waitUntil(() => pushes.some((push) => push.event === EVENTS.confirmed));
    expect(pushes.filter((push) => push.event === EVENTS.confirmed)).toEqual([
      {
        event: EVENTS.confirmed,
        payload: expect.objectContaining({ random: qr.random, status: QR_STATUS.CONFIRMED, ticket: expect.any(String) }),
      },
    ]);
  });

  test('a push lost while pub/sub was cut is re-sent when the subscription comes back', async () => {
    const { a, qr, browser, version, ticket } = await unpushedConfirmation();

    // Cut every pub/sub connection; node-redis reconnects and re-subscribes, and the instance
    // re-sends the stored state to its subscribers.
    const pushed = waitFor(browser.socket, EVENTS.confirmed, 10_000);
    await cluster.redis.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    expect(await pushed).toEqual({ random: qr.random, status: QR_STATUS.CONFIRMED, version, ticket });
    expect(a.logs.some((line) => line.includes('cross-instance delivery resumed'))).toBe(true);
    const check = dataOf(await api(a.url).get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
    expect(check.status).toBe(QR_STATUS.CONFIRMED);
  });
});

test('an instance that cannot reach Redis at start fails with a clear error naming the address, not the password', async () => {
  const { createRedisBackend } = await import('../../server/backend/redis');
  const { createLogger } = await import('../../server/logger');
  const port = redis.port;
  await redis.kill();
  const lines: string[] = [];
  const started = Date.now();
  await expect(
    createRedisBackend({
      target: { kind: 'standalone', url: `redis://:hunter2-secret@127.0.0.1:${port}/2` },
      prefix: 'x:',
      signingKey: null,
      keyRetainMs: 1000,
      connectTimeoutMs: 1000,
      logger: createLogger('debug', (line) => lines.push(line)),
      now: Date.now,
    }),
  ).rejects.toThrow(`cannot reach Redis (redis://127.0.0.1:${port}/2)`);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(lines.join('\n')).not.toContain('hunter2');
});
