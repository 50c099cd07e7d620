/**
 * A refused ticket exchange says in the server's log, at `warn`, which setting or secret to
 * look at, and never the secret: the README's app (`allowBrowserExchange: false`) with the web
 * SDK's default browser exchange used to fail with nothing in the log.
 */
import { API, type CheckData, HEADERS } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';

const SHOP_SECRET = 'shop-secret-0123456789';
const SHOP = { id: 'shop', name: 'Shop', secret: SHOP_SECRET, origins: ['https://shop.example'] };
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { APPS: JSON.stringify([SHOP]) } });
});
afterAll(() => server.close());

test('the browser exchanging for a server-side-only app, then a wrong app secret: each is a warn naming what to change, never a secret', async () => {
  const http = api(server.url);
  const phone = await registerUser(http);
  const shop = { 'x-authing-app-id': 'shop' };
  const qr = await gene(http, shop);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const secret = { ...shop, [HEADERS.secret]: qr.secret };
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, secret));
  if (!ticket) throw new Error('no ticket');

  expect((await http.post(API.userinfo, { ticket }, secret)).body.code).toBe(401);
  expect((await http.post(API.userinfo, { ticket }, { ...shop, authorization: 'Bearer not-the-shop-secret-000' })).body.code).toBe(401);

  const warned = server.logs.filter((line) => line.includes('"warn"') && line.includes('ticket exchange refused'));
  expect(warned).toHaveLength(2);
  expect(warned[0]).toMatch(/allowBrowserExchange: false.*autoExchangeUserInfo: false/);
  expect(warned[1]).toMatch(/not the app secret/);
  for (const line of server.logs) {
    expect(line).not.toContain(SHOP_SECRET);
    expect(line).not.toContain('not-the-shop-secret-000');
    expect(line).not.toContain(ticket);
  }
  // The rightful backend still gets the user: refusals used nothing up.
  expect((await http.post(API.userinfo, { ticket }, { ...shop, authorization: `Bearer ${SHOP_SECRET}` })).body.code).toBe(200);
});
