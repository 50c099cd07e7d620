/**
 * A site whose origin is not in its app's list is told 403, and the server says so in its log
 * at `warn` (once a minute per origin and app): what a developer needs to fix a CORS failure
 * the browser only reports as "Failed to fetch".
 */
import { API } from '../../shared/http';
import { rawRequest } from '../helpers/raw-http';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect } from '../helpers/sockets';

const SHOP = { id: 'shop', name: 'Shop', secret: 'shop-secret-0123456789', origins: ['https://shop.example'] };
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { APPS: JSON.stringify([SHOP]) } });
});
afterAll(async () => {
  closeAllSockets();
  await server.close();
});

const warnings = () =>
  server.logs
    .map((line) => JSON.parse(line) as { level: string; msg?: string; message?: string; origin?: string; app?: string | null })
    .filter((entry) => entry.level === 'warn');

test('an origin the app does not list: 403, one warn naming the origin and the app, not repeated within a minute', async () => {
  const ask = () =>
    rawRequest(server.url, { path: API.gene, headers: { 'x-authing-app-id': 'shop', origin: 'http://shop.test:5500' }, body: {} });
  expect((await ask()).body).toMatchObject({ code: 403 });
  expect((await ask()).body).toMatchObject({ code: 403 });
  const logged = warnings().filter((entry) => entry.origin === 'http://shop.test:5500');
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ app: null });
  expect(JSON.stringify(logged[0])).toMatch(/add it to the origins of the app it belongs to/);
});

test('an origin another app lists, used for this app: the warn names this app', async () => {
  const other = await startServer({
    env: { APPS: JSON.stringify([SHOP, { ...SHOP, id: 'blog', name: 'Blog', origins: ['https://blog.example'] }]) },
  });
  try {
    const answer = await rawRequest(other.url, {
      path: API.gene,
      headers: { 'x-authing-app-id': 'shop', origin: 'https://blog.example' },
      body: {},
    });
    expect(answer.body).toMatchObject({ code: 403 });
    const logged = other.logs.filter((line) => line.includes('https://blog.example') && line.includes('"warn"'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/refused a page origin for app \\"shop\\"/);
  } finally {
    await other.close();
  }
});

test('the socket handshake from a refused origin is logged too', async () => {
  await expect(connect(server.url, { extraHeaders: { origin: 'https://elsewhere.example' } })).rejects.toBeTruthy();
  expect(warnings().some((entry) => entry.origin === 'https://elsewhere.example')).toBe(true);
});
