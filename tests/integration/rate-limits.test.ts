/**
 * Rate limits (server/ratelimit): brute force and floods get HTTP 429 with Retry-After and
 * envelope code 429, sockets an ack with code 429; counts are shared by instances on Redis.
 * Small limits (RATE_LIMITS) keep the tests short; the defaults are in the README.
 */
import { API, type CheckData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { type ApiResponse, api, dataOf } from '../helpers/api';
import { type Cluster, startCluster } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect } from '../helpers/sockets';

const LIMITS =
  'check=20/60,userinfo=10/60,ticket=3/60,login=5/300,subscribe=8/60,decide=4/60,gene=30/60,phone=12/60,register=4/3600,scanned=3/60';
let server: TestServer;

beforeEach(async () => {
  server = await startServer({ env: { RATE_LIMITS: LIMITS } });
});

afterEach(async () => {
  closeAllSockets();
  await server.close();
});

function expectLimited(response: ApiResponse<unknown>, windowSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ code: 429, message: expect.stringMatching(/too many/i), data: null });
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

test('guessing QR ids on check: the first 20 are answered, then 429 for every random', async () => {
  const http = api(server.url);
  const answers = [];
  for (let i = 0; i < 20; i += 1) answers.push(await http.get(`${API.check}?random=guess${i}AAAAAAAAAAAAAAAA`));
  expect(answers.every((r) => r.status === 200 && r.body.code === 2241)).toBe(true);
  expectLimited(await http.get(`${API.check}?random=guess20AAAAAAAAAAAAAAAA`), 60);
  // A real QR is refused too: the limit is per IP, not per QR.
  const qr = await gene(http);
  expectLimited(await http.get(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }), 60);
  // No error log for it, and other actions are not affected.
  expect(server.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  expect((await http.post(API.gene, {})).body.code).toBe(200);
});

test('guessing tickets on userinfo gets 429 per IP', async () => {
  const http = api(server.url);
  for (let i = 0; i < 10; i += 1) {
    const response = await http.post(API.userinfo, { ticket: `wrong-ticket-${i}-${'x'.repeat(30)}` }, bearer(server.demoAppSecret));
    expect(response.body.code).toBe(2244);
  }
  expectLimited(await http.post(API.userinfo, { ticket: 'another-wrong-ticket-xxxxxxxxxxxxxxxxxxxxx' }, bearer(server.demoAppSecret)), 60);
});

test('wrong secrets on one real ticket are limited after 3, the rightful holder never is; strings that are no ticket are not counted per ticket', async () => {
  const http = api(server.url);
  const phone = await registerUser(http);
  const qr = await gene(http);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  if (!ticket) throw new Error('no ticket');
  // Without the browser secret: refused (2245), and counted against this ticket.
  for (let i = 0; i < 3; i += 1) expect((await http.post(API.userinfo, { ticket })).body.code).toBe(2245);
  expectLimited(await http.post(API.userinfo, { ticket }, { 'x-qrlogin-secret': 'x'.repeat(43) }), 60);
  // The browser that holds the secret still redeems it: a refused attempt never costs the holder.
  expect(dataOf(await http.post<{ id: string }>(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret })).id).toBe(phone.user.id);
  // A string that is no ticket is refused at once and never fills the per-ticket table.
  const junk = `a-ticket-that-someone-hammers-${'y'.repeat(20)}`;
  for (let i = 0; i < 5; i += 1) expect((await http.post(API.userinfo, { ticket: junk })).body.code).toBe(2244);
});

test('password guessing on login gets 429 after 5 tries in the window', async () => {
  const http = api(server.url);
  const phone = await registerUser(http);
  for (let i = 0; i < 5; i += 1) {
    expect((await http.post(API.login, { username: phone.user.username, password: `wrong password ${i}` })).body.code).toBe(2333);
  }
  expectLimited(await http.post(API.login, { username: phone.user.username, password: 'correct horse battery' }), 300);
});

test('a user hammering confirm/cancel is limited per user, and another user is not', async () => {
  const http = api(server.url);
  const [alice, bob] = [await registerUser(http), await registerUser(http)];
  for (let i = 0; i < 4; i += 1)
    expect((await http.post(API.cancel, { random: `nope${i}AAAAAAAAAAAAAAAAAA` }, bearer(alice.token))).status).toBe(200);
  expectLimited(await http.post(API.confirm, { random: 'nopeAAAAAAAAAAAAAAAAAAA' }, bearer(alice.token)), 60);
  const qr = await gene(http);
  await scan(http, bob.token, qr.random);
  expect(await confirm(http, bob.token, qr.random)).toMatchObject({ status: 2 });
});

test('socket qr:subscribe floods get an ack with code 429', async () => {
  const socket = await connect(server.url);
  const acks = [];
  for (let i = 0; i < 9; i += 1)
    acks.push(await socket.emitWithAck(EVENTS.subscribe, { random: `r${i}AAAAAAAAAAAAAAAAAAAAA`, secret: 'x'.repeat(43) }));
  expect(acks.slice(0, 8).every((ack) => !ack.ok && ack.error.code !== 429)).toBe(true);
  expect(acks[8]).toEqual({ ok: false, error: { code: 429, message: expect.stringMatching(/too many/i) } });
});

test('phone endpoints are limited per IP before the token is even checked (forged tokens)', async () => {
  const http = api(server.url);
  for (let i = 0; i < 12; i += 1) {
    expect((await http.post(API.confirm, { random: 'x'.repeat(22) }, bearer(`forged.token.${i}`))).body.code).toBe(2020);
  }
  expectLimited(await http.post(API.scanned, { random: 'x'.repeat(22) }, bearer('forged.token.x')), 60);
});

test('sign-ups, scans per user and QR creation (HTTP and socket) are limited too', async () => {
  const http = api(server.url);
  const users = [];
  for (let i = 0; i < 4; i += 1) users.push(await registerUser(http));
  expectLimited(await http.post(API.register, { username: 'onemore', password: 'correct horse battery' }), 3600);

  const phone = users[0]!;
  for (let i = 0; i < 3; i += 1) await scan(http, phone.token, (await gene(http)).random);
  expectLimited(await http.post(API.scanned, { random: (await gene(http)).random }, bearer(phone.token)), 60);

  // 30 QR codes per minute per IP, HTTP and socket together (4 made above).
  const socket = await connect(server.url);
  const acks = [];
  for (let i = 0; i < 27; i += 1) acks.push(await socket.emitWithAck(EVENTS.create, {}));
  expect(acks.filter((ack) => ack.ok)).toHaveLength(26);
  expect(acks[26]).toEqual({ ok: false, error: { code: 429, message: expect.any(String) } });
  expectLimited(await http.post(API.gene, {}), 60);
});

test('a socket message over 16 kB drops that socket; the server goes on', async () => {
  const socket = await connect(server.url);
  const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  // Without an ack on purpose: the server never answers, it drops the connection.
  (socket as unknown as { emit(event: string, payload: unknown): void }).emit(EVENTS.subscribe, {
    random: 'x'.repeat(20_000),
    secret: 'y',
  });
  expect(await dropped).toBe('transport close');
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
});

describe('on Redis', () => {
  let cluster: Cluster;
  afterEach(async () => {
    await cluster.close();
  });

  test('instances share the counts: 20 checks spread over two instances use up the one budget', async () => {
    cluster = await startCluster(2, { env: { RATE_LIMITS: LIMITS } });
    for (let i = 0; i < 20; i += 1) {
      const response = await api(cluster.at(i % 2).url).get(`${API.check}?random=guess${i}AAAAAAAAAAAAAAAA`);
      expect(response.status).toBe(200);
    }
    expectLimited(await api(cluster.at(0).url).get(`${API.check}?random=guessAAAAAAAAAAAAAAAAAA`), 60);
    expectLimited(await api(cluster.at(1).url).get(`${API.check}?random=guessAAAAAAAAAAAAAAAAAA`), 60);
  });
});
