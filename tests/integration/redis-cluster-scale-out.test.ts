/**
 * Three instances on a real Redis Cluster (3 masters with a replica each, started for this
 * file), as behind a load balancer: the cross-instance flow, the concurrent-decision race, and
 * failovers — a coordinated one (CLUSTER FAILOVER) and a killed master — in the middle of
 * logins: no confirmed login is lost, the instances recover by themselves, `/readyz` says
 * 503 while a shard has no master and 200 again after.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createClient } from 'redis';
import { API, type CheckData, type GeneData, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import { CLUSTER_ISSUER, uniquePrefix } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type ThrowawayRedisCluster, startRedisCluster } from '../helpers/redis-cluster';
import { type TestServer, startServer } from '../helpers/server';
import { type ClientSocket, closeAllSockets, connect, recordPushes, waitFor, waitUntil } from '../helpers/sockets';

jest.setTimeout(60_000);

let redis: ThrowawayRedisCluster;
let servers: TestServer[] = [];
let prefix = '';
const at = (i: number): TestServer => {
  const server = servers[i];
  if (!server) throw new Error(`no instance ${i}`);
  return server;
};

beforeAll(async () => {
  redis = await startRedisCluster();
}, 60_000);

afterAll(async () => {
  await redis?.dispose();
});

beforeEach(async () => {
  prefix = uniquePrefix();
  const nodes = redis.seeds.map((seed) => `redis://${seed}`);
  servers = [];
  for (let i = 0; i < 3; i += 1) {
    servers.push(await startServer({ env: { ISSUER: CLUSTER_ISSUER }, redis: { nodes, prefix, waitReplicas: 1 } }));
  }
});

afterEach(async () => {
  closeAllSockets();
  await Promise.all(servers.map((server) => server.close()));
});

/** Every key under the test's prefix matching `pattern`, from every master. */
async function keysMatching(pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const master of await redis.masters()) {
    const client = createClient({ url: `redis://${master.address}` });
    await client.connect();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}${pattern}`, COUNT: 500 })) found.push(...keys.map(String));
    await client.close();
  }
  return found;
}

/** `WAIT` calls a node has served so far. */
async function waitCalls(address: string): Promise<number> {
  const client = createClient({ url: `redis://${address}` });
  await client.connect();
  const stats = String(await client.sendCommand(['INFO', 'commandstats']));
  await client.close();
  return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/** A QR created over `socket` (`qr:create`, which subscribes it too). */
async function createdOver(socket: ClientSocket): Promise<GeneData> {
  const created = await socket.emitWithAck(EVENTS.create, {});
  if (!created.ok) throw new Error(JSON.stringify(created));
  return created.data;
}

/** The Redis key of a QR session (server/backend/redis/keys.ts). */
const qrKey = (random: string) => `${prefix}qr:{${random.slice(0, 3)}}${random}`;

test('browser socket on A, scanned on B, confirm on C: both pushes arrive and the ticket exchanges once on any instance', async () => {
  const [a, b, c] = [at(0), at(1), at(2)];
  const phone = await registerUser(api(c.url), 'Carol');
  const browser = await connect(a.url);
  const qr = await createdOver(browser);

  const scanned = waitFor(browser, EVENTS.scanned);
  await scan(api(b.url), phone.token, qr.random);
  expect(await scanned).toEqual({ random: qr.random, status: QR_STATUS.SCANNED, version: 1, userInfo: {} });
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await confirm(api(c.url), phone.token, qr.random);
  const push = await confirmed;
  expect(push).toMatchObject({ random: qr.random, status: QR_STATUS.CONFIRMED, version: 2 });

  for (const server of servers) {
    const check = dataOf(await api(server.url).get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
    expect(check).toMatchObject({ status: QR_STATUS.CONFIRMED, ticket: push.ticket });
  }
  const user = dataOf(await api(b.url).post<UserInfoData>(API.userinfo, { ticket: push.ticket }, bearer(b.demoAppSecret)));
  expect(user).toMatchObject({ id: phone.user.id, nickname: 'Carol' });
  expect((await api(c.url).post(API.userinfo, { ticket: push.ticket }, bearer(c.demoAppSecret))).body.code).toBe(2244);

  // One generated signing key for all, every instance's JWKS verifies the ID token.
  expect(new Set(servers.map((s) => s.app.keys.current.kid)).size).toBe(1);
  for (const server of servers) {
    const jwks = (await (await fetch(`${server.url}${API.jwks}`)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const { payload } = await jwtVerify(user.token, createLocalJWKSet(jwks), { issuer: CLUSTER_ISSUER, audience: 'demo' });
    expect(payload.sub).toBe(phone.user.id);
  }
  // The QR and its ticket live in one slot, on whichever master serves the QR's tag.
  expect(await keysMatching('qr:*')).toContain(qrKey(qr.random));
});

test('50 concurrent confirm and cancel calls over three instances: exactly one wins, the rest get 2243, at most one ticket', async () => {
  const phone = await registerUser(api(at(0).url));
  const qr = await gene(api(at(1).url));
  const browser = await connect(at(2).url);
  const pushes = recordPushes(browser);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  await scan(api(at(0).url), phone.token, qr.random);

  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const path = i % 2 === 0 ? API.confirm : API.cancel;
      return api(at(i % 3).url)
        .post(path, { random: qr.random }, bearer(phone.token))
        .then((response) => ({ path, response }));
    }),
  );
  const winners = results.filter((r) => r.response.body.code === 200);
  expect(winners).toHaveLength(1);
  for (const loser of results.filter((r) => r.response.body.code !== 200)) expect(loser.response.body.code).toBe(2243);
  const winner = winners[0];
  if (!winner) throw new Error('no winner');
  const decided = winner.path === API.confirm ? QR_STATUS.CONFIRMED : QR_STATUS.CANCELLED;
  expect(await keysMatching('ticket:*')).toHaveLength(decided === QR_STATUS.CONFIRMED ? 1 : 0);
  const event = decided === QR_STATUS.CONFIRMED ? EVENTS.confirmed : EVENTS.cancelled;
  await waitUntil(() => pushes.some((p) => p.event === event));
  const check = dataOf(await api(at(1).url).get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  expect(check.status).toBe(decided);
  expect(pushes.filter((p) => p.event === event)).toHaveLength(1);
});

test('a coordinated failover of the QR’s shard between scan and confirm: the push still arrives and the ticket redeems', async () => {
  const phone = await registerUser(api(at(0).url));
  const browser = await connect(at(0).url);
  const qr = await createdOver(browser);
  await scan(api(at(1).url), phone.token, qr.random);

  const moved = await redis.failover(qrKey(qr.random));
  expect(moved.to).not.toBe(moved.from);
  const confirmed = waitFor(browser, EVENTS.confirmed);
  // The instances follow the move (MOVED, or their own re-read of the slot map).
  await confirmWithRetry(at(2).url, phone.token, qr.random);
  const push = await confirmed;
  const user = dataOf(await api(at(1).url).post<UserInfoData>(API.userinfo, { ticket: push.ticket }, bearer(at(1).demoAppSecret)));
  expect(user.id).toBe(phone.user.id);
});

test('a killed master: a login confirmed before the kill still redeems, /readyz is 503 until a replica takes over, then new logins work everywhere', async () => {
  const phone = await registerUser(api(at(0).url));
  const browser = await connect(at(0).url);
  const qr = await createdOver(browser);
  await scan(api(at(1).url), phone.token, qr.random);
  const confirmed = waitFor(browser, EVENTS.confirmed);
  const master = await redis.masterOf(qrKey(qr.random));
  const waitsBefore = await waitCalls(master);
  await confirm(api(at(2).url), phone.token, qr.random);
  const push = await confirmed;
  // Answered only after WAIT 1 on the QR's master: the replica holds it when its master dies.
  expect(await waitCalls(master)).toBeGreaterThan(waitsBefore);

  const killing = redis.killMaster(qrKey(qr.random));
  killing.catch(() => undefined);
  const ready = async (server: TestServer) => (await fetch(`${server.url}/readyz`)).status;
  await eventually(async () => (await ready(at(0))) === 503);
  const { killed, promoted } = await killing;
  expect(promoted).not.toBe(killed);
  for (const server of servers) await eventually(async () => (await ready(server)) === 200);

  const user = dataOf(await api(at(1).url).post<UserInfoData>(API.userinfo, { ticket: push.ticket }, bearer(at(1).demoAppSecret)));
  expect(user.id).toBe(phone.user.id);

  // New logins through every instance, with QR codes on every shard.
  for (let i = 0; i < 6; i += 1) {
    const socket = await connect(at(i % 3).url);
    const next = await createdOver(socket);
    const pushed = waitFor(socket, EVENTS.confirmed);
    await scan(api(at((i + 1) % 3).url), phone.token, next.random);
    await confirm(api(at((i + 2) % 3).url), phone.token, next.random);
    expect((await pushed).ticket).toEqual(expect.any(String));
  }
  await redis.restart(killed);
});

/** Polls `check` every 100 ms for up to 15 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('not true within 15 s');
}

/** The phone's confirm, retried on 503 (code 503 in the envelope) as the mobile SDK does. */
async function confirmWithRetry(url: string, token: string, random: string): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const response = await api(url).post(API.confirm, { random }, bearer(token));
    if (response.body.code === 200) return;
    if (response.body.code !== 503) throw new Error(`confirm answered ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('confirm kept answering 503');
}
