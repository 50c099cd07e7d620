/**
 * Several instances on one real Redis (the machine's, under a key prefix of their own), as
 * behind a load balancer: the browser's socket on one instance, the phone's calls on others.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { API, type CheckData, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import { CLUSTER_ISSUER, type Cluster, keysMatching, startCluster } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { sentinelPush, sentinelScanned } from '../helpers/sentinel';
import { closeAllSockets, connect, recordPushes, waitFor, waitUntil } from '../helpers/sockets';

let cluster: Cluster;

beforeEach(async () => {
  cluster = await startCluster(3);
});

afterEach(async () => {
  closeAllSockets();
  await cluster.close();
});

test('browser socket on A, scanned on B, confirm on C: the browser gets both pushes and the ticket exchanges on any instance', async () => {
  const [a, b, c] = [cluster.at(0), cluster.at(1), cluster.at(2)];
  // Registered on C, logged in by token everywhere: the instances share the signing key.
  const phone = await registerUser(api(c.url), 'Carol');
  const browser = await connect(a.url);
  const pushes = recordPushes(browser);
  const created = await browser.emitWithAck(EVENTS.create, {});
  if (!created.ok) throw new Error(JSON.stringify(created));
  const qr = created.data;

  const scanned = waitFor(browser, EVENTS.scanned);
  await scan(api(b.url), phone.token, qr.random);
  expect(await scanned).toEqual({ random: qr.random, status: QR_STATUS.SCANNED, version: 1, userInfo: {} });

  const confirmed = waitFor(browser, EVENTS.confirmed);
  await confirm(api(c.url), phone.token, qr.random);
  const push = await confirmed;
  expect(push).toEqual({
    random: qr.random,
    status: QR_STATUS.CONFIRMED,
    version: 2,
    ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  });
  expect(pushes.map((p) => p.event)).toEqual([EVENTS.scanned, EVENTS.confirmed]);

  // Every instance sees the same state.
  for (const server of cluster.servers) {
    const check = dataOf(await api(server.url).get<CheckData>(`${API.check}?random=${qr.random}`, { [`x-qrlogin-secret`]: qr.secret }));
    expect(check).toMatchObject({ status: QR_STATUS.CONFIRMED, ticket: push.ticket });
  }

  // Exchanged server-side on B with the app secret; once, whichever instance is asked next.
  const user = dataOf(await api(b.url).post<UserInfoData>(API.userinfo, { ticket: push.ticket }, bearer(b.demoAppSecret)));
  expect(user).toMatchObject({ id: phone.user.id, nickname: 'Carol' });
  const again = await api(c.url).post(API.userinfo, { ticket: push.ticket }, bearer(c.demoAppSecret));
  expect(again.body.code).toBe(2244);

  // The ID token verifies with the JWKS of any instance, under the one shared issuer.
  for (const server of cluster.servers) {
    const jwks = (await (await fetch(`${server.url}${API.jwks}`)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const { payload } = await jwtVerify(user.token, createLocalJWKSet(jwks), { issuer: CLUSTER_ISSUER, audience: 'demo' });
    expect(payload.sub).toBe(phone.user.id);
  }
  expect(new Set(cluster.servers.map((s) => s.app.keys.current.kid)).size).toBe(1);
});

test('50 concurrent confirm and cancel calls spread over three instances: exactly one wins, the rest get 2243, at most one ticket', async () => {
  const phone = await registerUser(api(cluster.at(0).url));
  const qr = await gene(api(cluster.at(1).url));
  const browser = await connect(cluster.at(2).url);
  const pushes = recordPushes(browser);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  await scan(api(cluster.at(0).url), phone.token, qr.random);

  const calls = Array.from({ length: 50 }, (_, i) => {
    const server = cluster.at(i % 3);
    const path = i % 2 === 0 ? API.confirm : API.cancel;
    return api(server.url)
      .post(path, { random: qr.random }, bearer(phone.token))
      .then((response) => ({ path, response }));
  });
  const results = await Promise.all(calls);

  const winners = results.filter((r) => r.response.body.code === 200);
  const losers = results.filter((r) => r.response.body.code !== 200);
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(49);
  for (const loser of losers) expect(loser.response.body.code).toBe(2243);
  for (const result of results) expect(result.response.status).toBe(200);

  const winner = winners[0]!;
  const tickets = await keysMatching(cluster.redis, `${cluster.prefix}ticket:*`);
  const expected = winner.path === API.confirm ? QR_STATUS.CONFIRMED : QR_STATUS.CANCELLED;
  expect(tickets).toHaveLength(expected === QR_STATUS.CONFIRMED ? 1 : 0);

  // The browser hears of the one decision, once: a sentinel scanned through each instance
  // follows anything that instance published for the 50 calls.
  const event = expected === QR_STATUS.CONFIRMED ? EVENTS.confirmed : EVENTS.cancelled;
  await waitUntil(() => pushes.some((p) => p.event === event));
  const sentinels: string[] = [];
  for (const server of cluster.servers) {
    sentinels.push(await sentinelPush(browser, pushes, { create: api(server.url), scan: api(server.url), token: phone.token }));
  }
  expect(pushes.map((p) => p.event)).toEqual([EVENTS.scanned, event, ...sentinels.map(() => EVENTS.scanned)]);
  expect(pushes.slice(2)).toEqual(sentinels.map(sentinelScanned));
  const check = dataOf(await api(cluster.at(1).url).get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  expect(check.status).toBe(expected);
});

test('a browser whose instance shuts down while it waits reconnects to another and still gets the ticket', async () => {
  const [a, b, c] = [cluster.at(0), cluster.at(1), cluster.at(2)];
  const phone = await registerUser(api(b.url));
  const qr = await gene(api(a.url));
  const first = await connect(a.url);
  await first.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  await scan(api(b.url), phone.token, qr.random);

  const dropped = new Promise<string>((resolve) => first.once('disconnect', (reason) => resolve(reason)));
  await a.close();
  expect(await dropped).toBe('transport close');

  // Confirmed while the browser has no socket at all: nothing is pushed to it.
  await confirm(api(c.url), phone.token, qr.random);

  // The SDK reconnects (through the load balancer, to a live instance) and re-subscribes:
  // the snapshot carries the ticket.
  const second = await connect(b.url);
  const ack = await second.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  expect(ack.data).toMatchObject({ random: qr.random, status: QR_STATUS.CONFIRMED, version: 2, ticket: expect.any(String) });
  const user = dataOf(await api(c.url).post<UserInfoData>(API.userinfo, { ticket: ack.data.ticket }, bearer(c.demoAppSecret)));
  expect(user.id).toBe(phone.user.id);
});

test('a socket that moves to another instance before the decision gets the push there', async () => {
  const [a, b, c] = [cluster.at(0), cluster.at(1), cluster.at(2)];
  const phone = await registerUser(api(a.url));
  const qr = await gene(api(a.url));
  const first = await connect(a.url);
  await first.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  await a.close();
  const second = await connect(b.url);
  await second.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  const confirmed = waitFor(second, EVENTS.confirmed);
  await scan(api(c.url), phone.token, qr.random);
  await confirm(api(c.url), phone.token, qr.random);
  expect(await confirmed).toMatchObject({ random: qr.random, status: QR_STATUS.CONFIRMED, ticket: expect.any(String) });
});

test('every QR, ticket, rate counter and generated key lives under the one prefix, and QR, ticket and counter keys expire', async () => {
  const phone = await registerUser(api(cluster.at(0).url));
  const qr = await gene(api(cluster.at(0).url));
  await scan(api(cluster.at(1).url), phone.token, qr.random);
  await confirm(api(cluster.at(2).url), phone.token, qr.random);
  const keys = await keysMatching(cluster.redis, `${cluster.prefix}*`);
  const kinds = new Set(keys.map((key) => key.slice(cluster.prefix.length).split(':')[0]));
  expect([...kinds].sort()).toEqual(['jwks', 'qr', 'qr-deadlines', 'rl', 'signing-key', 'ticket', 'user', 'username']);
  // The deadlines set has no TTL: the expiry sweep empties it (members leave as they come due).
  expect(await cluster.redis.zScore(`${cluster.prefix}qr-deadlines`, qr.random)).toBeGreaterThan(Date.parse(qr.expireAt));
  for (const key of keys.filter((k) => /:(qr|ticket|rl):/.test(k))) {
    expect(await cluster.redis.pTTL(key)).toBeGreaterThan(0);
  }
});
