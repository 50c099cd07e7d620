/**
 * Apps from configuration (`APPS`, parsed exactly like `APPS_FILE`): per-app origins over
 * CORS and Socket.IO, per-app lifetimes, and the app secret for server-side exchange.
 */
import { createHash } from 'node:crypto';
import { API, HEADERS, type GeneData, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { api, dataOf } from '../helpers/api';
import { bearer, confirm, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect, waitFor } from '../helpers/sockets';

const SHOP_SECRET = 'shop-secret-0123456789-abcdef';
const SHOP = 'https://shop.example';
let server: TestServer;

beforeAll(async () => {
  const apps = [
    {
      id: 'shop',
      name: 'Example Shop',
      secretSha256: createHash('sha256').update(SHOP_SECRET).digest('base64url'),
      origins: [SHOP],
      qrTtl: 30,
      ticketTtl: 15,
    },
  ];
  server = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
});

afterAll(async () => {
  closeAllSockets();
  await server.close();
});

const geneAs = (origin: string, appId: string) => api(server.url).post<GeneData>(API.gene, {}, { origin, [HEADERS.appId]: appId });

test('an app’s own origin may use it, with the app’s lifetimes and CORS for that origin only', async () => {
  const response = await geneAs(SHOP, 'shop');
  const qr = dataOf(response);
  expect(qr.expiresIn).toBe(30);
  expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
});

test.each([
  ['an unknown origin', 'https://evil.example'],
  ['the origin of another app (demo’s localhost)', 'http://localhost:5173'],
  ['a look-alike origin', 'https://shop.example.evil.example'],
])('%s is refused with 403', async (_name, origin) => {
  const response = await geneAs(origin, 'shop');
  expect(response.body).toMatchObject({ code: 403, data: null });
});

test('an unknown app id is refused with 403', async () => {
  expect((await geneAs(SHOP, 'nope')).body.code).toBe(403);
});

test('over Socket.IO: the handshake admits the app’s origin, and qr:create checks the app against it', async () => {
  const own = await connect(server.url, { extraHeaders: { origin: SHOP } });
  const created = await own.emitWithAck(EVENTS.create, { appId: 'shop' });
  expect(created).toMatchObject({ ok: true, data: { expiresIn: 30 } });

  const other = await connect(server.url, { extraHeaders: { origin: 'http://localhost:5173' } });
  expect(await other.emitWithAck(EVENTS.create, { appId: 'shop' })).toEqual({
    ok: false,
    error: { code: 403, message: expect.any(String) },
  });
  // Its own app (demo) still works from there.
  expect(await other.emitWithAck(EVENTS.create, {})).toMatchObject({ ok: true });
});

test('the ticket of a shop QR exchanges with the shop’s secret only, and lives ticketTtl seconds', async () => {
  const phone = await registerUser(api(server.url));
  const browser = await connect(server.url, { extraHeaders: { origin: SHOP } });
  const created = await browser.emitWithAck(EVENTS.create, { appId: 'shop' });
  if (!created.ok) throw new Error(JSON.stringify(created));
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await scan(api(server.url), phone.token, created.data.random);
  await confirm(api(server.url), phone.token, created.data.random);
  const { ticket } = await confirmed;
  const record = await server.app.stores.qr.peekTicket(`${ticket.slice(0, 3)}.${createHash('sha256').update(ticket).digest('base64url')}`);
  expect(record?.expireAt).toBeGreaterThan(Date.now() + 10_000);
  expect(record?.expireAt).toBeLessThanOrEqual(Date.now() + 15_000);

  expect((await api(server.url).post(API.userinfo, { ticket }, bearer(server.demoAppSecret))).body.code).toBe(401);
  const user = dataOf(await api(server.url).post<UserInfoData>(API.userinfo, { ticket }, bearer(SHOP_SECRET)));
  expect(user.id).toBe(phone.user.id);
});
