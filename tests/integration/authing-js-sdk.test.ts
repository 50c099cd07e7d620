/**
 * The real `authing-js-sdk` (4.23.x, its axios client in Node) with `appHost` pointed at
 * qrlogin: geneCode, checkStatus, startPolling and exchangeUserInfo work unchanged.
 * In Node the SDK has no cookie jar, so for the default app (ticket bound to the browser)
 * the ticket is exchanged server-side with the app secret, as a website's backend would.
 */
import { AuthenticationClient } from 'authing-js-sdk';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { API, type CheckData } from '../../shared/http';
import { api, dataOf, type Api } from '../helpers/api';
import { confirm, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer, testApp, withApps } from '../helpers/server';
import { waitUntil } from '../helpers/sockets';
import { movableClock, sleep } from '../helpers/time';

let server: TestServer;
let http: Api;
/** The server's clock: it stands still unless a test moves it (expiry without waiting). */
const clock = movableClock();

beforeAll(async () => {
  server = await startServer({
    deps: { now: clock.now },
    configure: withApps(
      (config) => testApp(config, { id: 'legacy', bindTicketToBrowser: false, allowBrowserExchange: true }),
      (config) => testApp(config, { id: 'legacy-short', bindTicketToBrowser: false, qrTtlSeconds: 1 }),
    ),
  });
  http = api(server.url);
});
afterAll(() => server.close());

const sdk = (appId: string) => new AuthenticationClient({ appId, appHost: server.url, lang: 'en-US' });

async function verified(token: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL(`${server.url}${API.jwks}`));
  return (await jwtVerify(token, jwks, { issuer: server.config.issuer, audience })).payload;
}

test('legacy app (Authing behaviour): geneCode → checkStatus shows 1 then 2 with the ticket → exchangeUserInfo once', async () => {
  const client = sdk('legacy');
  const phone = await registerUser(http, 'Legacy User');
  const qr = await client.qrcode.geneCode();
  expect(qr.random).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(qr.url).toBe(`${server.url}${API.qrImage}?random=${qr.random}`);

  expect((await client.qrcode.checkStatus(qr.random)).status).toBe(0);
  await scan(http, phone.token, qr.random);
  expect((await client.qrcode.checkStatus(qr.random)).status).toBe(1);
  await confirm(http, phone.token, qr.random);
  const status = await client.qrcode.checkStatus(qr.random);
  expect(status).toMatchObject({ status: 2, ticket: expect.any(String) });

  const user = await client.qrcode.exchangeUserInfo(status.ticket ?? '');
  expect(user).toMatchObject({ id: phone.user.id, nickname: 'Legacy User' });
  expect(await verified(user.token ?? '', 'legacy')).toMatchObject({ sub: phone.user.id, amr: ['qr'] });
  // The SDK's default onError rejects with the envelope's {code, message, data}.
  await expect(client.qrcode.exchangeUserInfo(status.ticket ?? '')).rejects.toMatchObject({ code: 2244, data: null });
});

test('default app: checkStatus never shows the ticket without the secret; the backend exchanges it with the app secret', async () => {
  const client = sdk('demo');
  const phone = await registerUser(http);
  const qr = await client.qrcode.geneCode();
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  expect(await client.qrcode.checkStatus(qr.random)).toMatchObject({ status: 2, ticket: null });

  // The browser that created the QR has the secret; it hands the ticket to its backend.
  const secret = (qr as unknown as { secret: string }).secret;
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': secret }));
  await expect(client.qrcode.exchangeUserInfo(ticket ?? '')).rejects.toMatchObject({ code: 2245 });
  const backend = sdk('demo');
  backend.setToken(server.demoAppSecret); // the SDK sends Authorization: Bearer <app secret>
  const user = await backend.qrcode.exchangeUserInfo(ticket ?? '');
  expect(user.id).toBe(phone.user.id);
  expect((await verified(user.token ?? '', 'demo')).sub).toBe(phone.user.id);
});

test('startPolling reports scanned then success (legacy app), and expiry for a short-lived QR', async () => {
  const client = sdk('legacy');
  const phone = await registerUser(http);
  const qr = await client.qrcode.geneCode();
  const seen: string[] = [];
  const success = new Promise<string>((resolve) => {
    void client.qrcode.startPolling(qr.random, {
      interval: 100,
      onScanned: () => seen.push('scanned'),
      onSuccess: (_userInfo, ticket) => resolve(ticket),
    });
  });
  await sleep(250);
  await scan(http, phone.token, qr.random);
  // The SDK reports the scan before the confirm makes it stale.
  await waitUntil(() => seen.length > 0);
  await confirm(http, phone.token, qr.random);
  const ticket = await success;
  expect(seen).toEqual(['scanned']);
  expect((await client.qrcode.exchangeUserInfo(ticket)).id).toBe(phone.user.id);

  const short = sdk('legacy-short');
  const shortQr = await short.qrcode.geneCode();
  expect((await short.qrcode.checkStatus(shortQr.random)).status).toBe(0);
  const expired = new Promise<void>((resolve) => {
    void short.qrcode.startPolling(shortQr.random, { interval: 100, onExpired: () => resolve() });
  });
  // The app's QR lifetime is 1 s: move the server's clock to its end instead of waiting.
  clock.advance(1000);
  await expired;
  expect((await short.qrcode.checkStatus(shortQr.random)).status).toBe(-1);
});
