/**
 * Two instances on one Redis behind a real nginx running deploy/nginx.conf (unprivileged,
 * its own prefix): sockets and REST calls go through nginx only, as in production.
 */
import { io } from 'socket.io-client';
import { API, type CheckData, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import type { Cluster } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestNginx, startBalanced } from '../helpers/nginx';
import { type ClientSocket, closeAllSockets, connect, waitFor, waitUntil } from '../helpers/sockets';

let cluster: Cluster;
let nginx: TestNginx;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ cluster, nginx, close } = await startBalanced(2));
});

afterEach(async () => {
  closeAllSockets();
  await close();
});

/** How many sockets each instance holds. */
const socketsPerInstance = () => cluster.servers.map((server) => server.app.io.engine.clientsCount);

test('WebSocket clients are spread over both instances; a login through nginx gets its pushes and its ticket', async () => {
  const lb = api(nginx.url);
  const phone = await registerUser(lb, 'Nina');

  // Round-robin: consecutive WebSocket connections land on different instances.
  const browsers: ClientSocket[] = [];
  for (let i = 0; i < 4; i += 1) browsers.push(await connect(nginx.url));
  expect(socketsPerInstance()).toEqual([2, 2]);

  // REST calls are spread too (nginx names the upstream in a header).
  const upstreams = new Set<string>();
  for (let i = 0; i < 4; i += 1) upstreams.add((await fetch(`${nginx.url}/readyz`)).headers.get('x-qrlogin-upstream') ?? '');
  expect(upstreams).toEqual(new Set(cluster.servers.map((server) => `127.0.0.1:${server.port}`)));

  for (const browser of browsers) {
    const qr = await gene(lb);
    await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
    const scanned = waitFor(browser, EVENTS.scanned);
    const confirmed = waitFor(browser, EVENTS.confirmed);
    const scanData = await scan(lb, phone.token, qr.random);
    // nginx forwards the browser's address; the instance trusts it from loopback.
    expect(scanData.requester.ip).toBe('127.0.0.1');
    await scanned;
    await confirm(lb, phone.token, qr.random);
    const { ticket } = await confirmed;
    const user = dataOf(await lb.post<UserInfoData>(API.userinfo, { ticket }, bearer(cluster.at(0).demoAppSecret)));
    expect(user.id).toBe(phone.user.id);
  }
});

test.each([
  ['HTTP long-polling only', ['polling']],
  ['long-polling upgraded to WebSocket', ['polling', 'websocket']],
] as const)('%s works through nginx (those requests are sticky)', async (_name, transports) => {
  const lb = api(nginx.url);
  const phone = await registerUser(lb);
  const qr = await gene(lb);
  const browser = await connect(nginx.url, { transports: [...transports] });
  const ack = await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  expect(ack.ok).toBe(true);
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await scan(lb, phone.token, qr.random);
  await confirm(lb, phone.token, qr.random);
  expect(await confirmed).toMatchObject({ random: qr.random, status: QR_STATUS.CONFIRMED, ticket: expect.any(String) });
  // Several requests went back and forth and every one reached the instance holding the session.
  expect(browser.connected).toBe(true);
});

test('an instance shut down while its browser waits: the socket reconnects through nginx to the other one and gets the ticket', async () => {
  const lb = api(nginx.url);
  const phone = await registerUser(lb);
  const qr = await gene(lb);

  // As the web SDK does: reconnect automatically, and (re)subscribe on every connect.
  const browser: ClientSocket = io(nginx.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
  });
  const snapshots: unknown[] = [];
  browser.on('connect', () => {
    void browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret }).then((ack) => snapshots.push(ack));
  });
  const pushes: unknown[] = [];
  browser.on(EVENTS.confirmed, (payload) => pushes.push(payload));
  try {
    await waitUntil(() => snapshots.length === 1);
    await scan(lb, phone.token, qr.random);
    const holder = socketsPerInstance().indexOf(1);
    expect(holder).toBeGreaterThanOrEqual(0);
    const other = cluster.at(1 - holder);

    await cluster.at(holder).close();
    await confirm(api(other.url), phone.token, qr.random);

    // The re-subscribe happens before or after the confirm: either its snapshot or the push
    // that follows carries the ticket.
    const ticketOf = (value: unknown) =>
      (value as { data?: { ticket?: string }; ticket?: string }).data?.ticket ?? (value as { ticket?: string }).ticket;
    await waitUntil(() => snapshots.length >= 2 && [...snapshots.slice(1), ...pushes].some((value) => typeof ticketOf(value) === 'string'));
    expect(snapshots[1]).toMatchObject({ ok: true, data: { random: qr.random } });
    expect(other.app.io.engine.clientsCount).toBe(1);
    const check = dataOf(await lb.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
    expect(check.status).toBe(QR_STATUS.CONFIRMED);
  } finally {
    browser.disconnect();
  }
});
