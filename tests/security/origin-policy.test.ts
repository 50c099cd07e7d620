/**
 * Finding 1 of the security review: one origin policy for HTTP, the Socket.IO handshake and
 * `qr:create`. `Origin: null` (a sandboxed iframe on any website) is a browser and is refused
 * unless an app lists `"null"`; the service's own origin is `PUBLIC_URL`'s, never one made up
 * from the request's `Host` (the shape of DNS rebinding).
 */
import { loadConfig } from '../../server/config';
import { API, type GeneData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { rawRequest } from '../helpers/raw-http';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect } from '../helpers/sockets';

const SHOP = { id: 'shop', name: 'Shop', secret: 'shop-secret-0123456789', origins: ['https://shop.example'] };
const SANDBOXED = { id: 'sandboxed', name: 'Sandboxed widget', secret: 'sandboxed-secret-0123456789', origins: ['null'] };
const REBIND = 'rebind.attacker.example';

/** No app lists `null` here (the usual deployment); `withNull` has one that does. */
let server: TestServer;
let withNull: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { APPS: JSON.stringify([SHOP]) } });
  withNull = await startServer({ env: { APPS: JSON.stringify([SHOP, SANDBOXED]) } });
});

afterAll(async () => {
  closeAllSockets();
  await Promise.all([server.close(), withNull.close()]);
});

const gene = (app: string, headers: Record<string, string>, on = server) =>
  rawRequest(on.url, { path: API.gene, headers: { 'x-authing-app-id': app, ...headers }, body: {} });

const codeOf = (body: unknown) => (body as { code?: number }).code;

test('HTTP gene with Origin: null is refused (403) for the demo app and for an app with an origin list', async () => {
  for (const app of ['demo', 'shop']) {
    const answer = await gene(app, { origin: 'null' });
    expect(codeOf(answer.body)).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  }
  // check and userinfo pass the same gate.
  for (const path of [`${API.check}?random=${'a'.repeat(22)}`, API.userinfo]) {
    const method = path === API.userinfo ? 'POST' : 'GET';
    const answer = await rawRequest(server.url, {
      method,
      path,
      headers: { origin: 'null' },
      ...(method === 'POST' ? { body: { ticket: 'x' } } : {}),
    });
    expect(codeOf(answer.body)).toBe(403);
  }
  // The preflight of such a page is refused too.
  const preflight = await rawRequest(server.url, {
    method: 'OPTIONS',
    path: API.gene,
    headers: { origin: 'null', 'access-control-request-method': 'POST' },
  });
  expect(preflight.status).toBe(403);
});

test('an app that lists "null" is warned about at start', () => {
  expect(loadConfig({ APPS: JSON.stringify([SANDBOXED]) }).warnings.join('\n')).toMatch(
    /app "sandboxed" lists the origin "null": any website can/,
  );
});

test('an app that lists "null" admits it (echoed), and only for itself', async () => {
  const allowed = await gene('sandboxed', { origin: 'null' }, withNull);
  expect(codeOf(allowed.body)).toBe(200);
  expect(allowed.headers['access-control-allow-origin']).toBe('null');
  for (const app of ['shop', 'demo']) expect(codeOf((await gene(app, { origin: 'null' }, withNull)).body)).toBe(403);
});

test('a forged Host does not make its origin "self": Host rebind + matching Origin is refused', async () => {
  const answer = await gene('shop', { host: REBIND, origin: `http://${REBIND}` });
  expect(codeOf(answer.body)).toBe(403);
  // The service's own origin (PUBLIC_URL's) is allowed for every app.
  expect(codeOf((await gene('shop', { origin: server.url })).body)).toBe(200);
  // A request with no Origin at all is not a page (a backend, a phone app): not an origin question.
  expect(codeOf((await gene('shop', {})).body)).toBe(200);
});

test('the Socket.IO handshake refuses Origin: null and a rebound Host/Origin pair', async () => {
  await expect(connect(server.url, { extraHeaders: { origin: 'null' } })).rejects.toThrow();
  await expect(connect(server.url, { extraHeaders: { host: REBIND, origin: `http://${REBIND}` } })).rejects.toThrow();
  // Long-polling handshakes pass the same gate.
  await expect(connect(server.url, { transports: ['polling'], extraHeaders: { origin: 'null' } })).rejects.toThrow();
});

test('qr:create applies the same policy per app: a socket admitted for one app cannot create for another', async () => {
  // The handshake passes where some app lists "null" …
  const socket = await connect(withNull.url, { extraHeaders: { origin: 'null' } });
  // … and qr:create works for that app only.
  const own = await socket.emitWithAck(EVENTS.create, { appId: 'sandboxed' });
  expect(own).toMatchObject({ ok: true, data: { random: expect.any(String) } });
  for (const appId of ['shop', 'demo']) {
    expect(await socket.emitWithAck(EVENTS.create, { appId })).toEqual({ ok: false, error: expect.objectContaining({ code: 403 }) });
  }
});

test('the phone sees the origin the browser really sent', async () => {
  const answer = await gene('sandboxed', { origin: 'null' }, withNull);
  const { random } = (answer.body as { data: GeneData }).data;
  const session = await withNull.app.stores.qr.get(random);
  expect(session?.requester.origin).toBe('null');
});
