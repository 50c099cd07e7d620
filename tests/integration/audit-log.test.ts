/**
 * The audit log of a real server (issue 16 item 6): every login decision (scan, confirm,
 * cancel, expiry, redemption) is one `info` line with `audit: true`, the app, the user, the
 * QR's random and the browser that asked (its IP as Express judges it, and its browser), and
 * no line of the whole run holds a secret, ticket, token or password. Refused exchanges and
 * origins are `warn` lines with a stable `event`.
 */
import { API, type CheckData, HEADERS, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { api, dataOf } from '../helpers/api';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { DEMO_APP_SECRET, type TestServer, startServer, useServer } from '../helpers/server';
import { closeAllSockets, connect, waitFor, waitUntil } from '../helpers/sockets';
import { startCluster } from '../helpers/cluster';
import { sleep } from '../helpers/time';

const server = useServer();
afterAll(() => closeAllSockets());

const CHROME_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
/** The browser asking to sign in, behind the loopback proxy TRUST_PROXY believes. */
const BROWSER = { 'user-agent': CHROME_UA, 'x-forwarded-for': '203.0.113.7' };
const REQUESTER = { ip: '203.0.113.7', browser: 'Chrome 131' };
const PASSWORD = 'correct horse battery';

const entriesOf = (target: TestServer) => target.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
const auditOf = (target: TestServer, random: string) =>
  entriesOf(target).filter((entry) => entry.audit === true && entry.random === random);
const auditLine = (event: string, fields: Record<string, unknown>) => ({
  time: expect.any(String),
  level: 'info',
  instance: expect.any(String),
  msg: `audit ${event}`,
  audit: true,
  event,
  appId: 'demo',
  requester: REQUESTER,
  ...fields,
});

/** No line of `target`'s log holds any of `credentials`. */
function expectNoneIn(target: TestServer, credentials: string[]): void {
  for (const line of target.logs) for (const credential of credentials) expect(line).not.toContain(credential);
}

test('a full login is three audit lines, scanned, confirmed and redeemed, and no line holds a credential', async () => {
  const http = api(server().url);
  const phone = await registerUser(http, 'Audited Ann');
  const qr = await gene(http, BROWSER);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { [HEADERS.secret]: qr.secret }));
  if (!ticket) throw new Error('no ticket');
  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket }, bearer(DEMO_APP_SECRET)));

  const userId = phone.user.id;
  expect(auditOf(server(), qr.random)).toEqual([
    auditLine('qr.scanned', { userId, random: qr.random }),
    auditLine('qr.confirmed', { userId, random: qr.random }),
    auditLine('ticket.redeemed', { userId, random: qr.random, via: 'app-secret' }),
  ]);
  expectNoneIn(server(), [qr.secret, ticket, user.token, phone.token, DEMO_APP_SECRET, PASSWORD]);
});

test('a redemption by the browser that showed the QR says so (via: browser)', async () => {
  const http = api(server().url);
  const phone = await registerUser(http);
  const qr = await gene(http, BROWSER);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const proof = { [HEADERS.secret]: qr.secret };
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, proof));
  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket }, proof));
  expect(auditOf(server(), qr.random).at(-1)).toEqual(
    auditLine('ticket.redeemed', { userId: phone.user.id, random: qr.random, via: 'browser' }),
  );
  expectNoneIn(server(), [qr.secret, ticket ?? 'no ticket', user.token, phone.token]);
});

test('a cancel after the scan, and a cancel before any scan: each names the user who cancelled', async () => {
  const http = api(server().url);
  const phone = await registerUser(http);
  const scanned = await gene(http, BROWSER);
  await scan(http, phone.token, scanned.random);
  expect((await http.post(API.cancel, { random: scanned.random }, bearer(phone.token))).body.code).toBe(200);
  const unscanned = await gene(http, BROWSER);
  expect((await http.post(API.cancel, { random: unscanned.random }, bearer(phone.token))).body.code).toBe(200);

  const userId = phone.user.id;
  expect(auditOf(server(), scanned.random)).toEqual([
    auditLine('qr.scanned', { userId, random: scanned.random }),
    auditLine('qr.cancelled', { userId, random: scanned.random }),
  ]);
  expect(auditOf(server(), unscanned.random)).toEqual([auditLine('qr.cancelled', { userId, random: unscanned.random })]);
  expectNoneIn(server(), [scanned.secret, unscanned.secret, phone.token]);
});

test('an expiry is an audit line, with the user who had scanned', async () => {
  const short = await startServer({ env: { QR_TTL_SECONDS: '1' } });
  try {
    const http = api(short.url);
    const phone = await registerUser(http);
    const qr = await gene(http, BROWSER);
    const browser = await connect(short.url);
    await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
    await scan(http, phone.token, qr.random);
    await waitFor(browser, EVENTS.expired, 5_000);
    await waitUntil(() => auditOf(short, qr.random).length === 2, 10_000);
    expect(auditOf(short, qr.random)).toEqual([
      auditLine('qr.scanned', { userId: phone.user.id, random: qr.random }),
      auditLine('qr.expired', { userId: phone.user.id, random: qr.random }),
    ]);
    expectNoneIn(short, [qr.secret, phone.token]);
  } finally {
    await short.close();
  }
});

test('a QR that is only polled and one nobody watches each get one expiry line, and a decided one none', async () => {
  const short = await startServer({ env: { QR_TTL_SECONDS: '1' } });
  try {
    const http = api(short.url);
    const phone = await registerUser(http);
    const polled = await gene(http, BROWSER);
    const unwatched = await gene(http, BROWSER);
    const confirmed = await gene(http, BROWSER);
    await scan(http, phone.token, confirmed.random);
    await confirm(http, phone.token, confirmed.random);
    const proof = { [HEADERS.secret]: polled.secret };
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (status !== -1 && Date.now() < deadline) {
      status = dataOf(await http.get<CheckData>(`${API.check}?random=${polled.random}`, proof)).status;
      await sleep(100);
    }
    expect(status).toBe(-1);
    await waitUntil(() => auditOf(short, polled.random).length + auditOf(short, unwatched.random).length === 2, 10_000);
    // One more sweep (a second) tells nothing more.
    await sleep(1_200);
    expect(auditOf(short, polled.random)).toEqual([auditLine('qr.expired', { userId: null, random: polled.random })]);
    expect(auditOf(short, unwatched.random)).toEqual([auditLine('qr.expired', { userId: null, random: unwatched.random })]);
    expect(auditOf(short, confirmed.random).map((entry) => entry.event)).toEqual(['qr.scanned', 'qr.confirmed']);
  } finally {
    await short.close();
  }
});

test('on two instances sharing Redis, a QR watched on both is told expired once, by one of them', async () => {
  const cluster = await startCluster(2, { env: { QR_TTL_SECONDS: '1' } });
  try {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const qr = await gene(api(a.url), BROWSER);
    const watchers = await Promise.all([connect(a.url), connect(b.url)]);
    await Promise.all(watchers.map((socket) => socket.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret })));
    const lines = () => [...auditOf(a, qr.random), ...auditOf(b, qr.random)];
    await Promise.all(watchers.map((socket) => waitFor(socket, EVENTS.expired, 5_000)));
    await waitUntil(() => lines().length > 0, 10_000);
    await sleep(1_200);
    expect(lines()).toEqual([auditLine('qr.expired', { userId: null, random: qr.random })]);
  } finally {
    await cluster.close();
  }
});

test('a refused exchange and a refused origin are warn lines with a stable event, without the secret', async () => {
  const http = api(server().url);
  const phone = await registerUser(http);
  const qr = await gene(http, BROWSER);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { [HEADERS.secret]: qr.secret }));
  const wrong = 'wrong-app-secret-value-000000000';
  expect((await http.post(API.userinfo, { ticket }, bearer(wrong))).body.code).toBe(401);
  expect((await http.post(API.gene, {}, { origin: 'https://elsewhere.example' })).body.code).toBe(403);

  const warns = entriesOf(server()).filter((entry) => entry.level === 'warn');
  expect(warns).toContainEqual(
    expect.objectContaining({ event: 'exchange.refused', reason: 'app-secret', random: qr.random, appId: 'demo' }),
  );
  expect(warns).toContainEqual(expect.objectContaining({ event: 'origin.refused', origin: 'https://elsewhere.example', app: null }));
  // The refusal used nothing up, and wrote no audit line.
  expect(auditOf(server(), qr.random).map((entry) => entry.event)).toEqual(['qr.scanned', 'qr.confirmed']);
  expectNoneIn(server(), [wrong, ticket ?? 'no ticket', qr.secret, phone.token]);
});
