/**
 * The real `authing-js-sdk` 4.23 browser build (its own `startScanning` widget) in Chromium,
 * on a website of its own origin, against qrlogin: the SDK draws qrlogin's QR, polls `check`
 * with credentials, and exchanges the ticket itself. The ticket is bound to the browser: the
 * SDK sends no secret, only the HttpOnly cookie qrlogin set on `gene` proves it.
 */
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { confirm, registerUser, scan } from '../helpers/flow';
import { snap, usePages } from '../helpers/pages';
import { ROOT, type TestServer, startServer } from '../helpers/server';

const pages = usePages();
let qrlogin: TestServer;
let site: Server;
let siteUrl: string;

beforeAll(async () => {
  qrlogin = await startServer();
  const sdk = readFileSync(join(ROOT, 'node_modules', 'authing-js-sdk', 'build', 'browser', 'index.min.js'));
  const html = `<!doctype html><meta charset="utf-8"><title>Authing SDK site</title>
<div id="authing-qr"></div>
<script src="/authing.js"></script>
<script>
  const client = new Authing.AuthenticationClient({ appId: 'demo', appHost: ${JSON.stringify(qrlogin.url)} });
  client.qrcode.startScanning('authing-qr', {
    autoExchangeUserInfo: true,
    onScanned: () => { document.body.dataset.scanned = 'yes'; },
    onSuccess: (userInfo, ticket) => { document.body.dataset.user = JSON.stringify(userInfo); },
    onError: (message) => { document.body.dataset.error = String(message); },
  });
</script>`;
  site = createServer((req, res) => {
    if (req.url === '/authing.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => site?.close(resolve));
  await qrlogin?.close();
});

test('authing-js-sdk startScanning logs in through qrlogin, the ticket proven by the cookie alone', async () => {
  const page = await pages.page({ viewport: { width: 900, height: 700 } });
  const secretHeaders: string[] = [];
  page.on('request', (request) => {
    const secret = request.headers()['x-qrlogin-secret'];
    if (secret) secretHeaders.push(secret);
  });
  await page.goto(siteUrl);
  const image = page.locator('#authing-qr img').first();
  await image.waitFor({ state: 'visible', timeout: 10_000 });
  const random = parseQrCode(await readQrFrom(image)).random;
  await snap(page, 'authing-sdk-widget');

  const phone = await registerUser(api(qrlogin.url), 'Authing Fan');
  await scan(api(qrlogin.url), phone.token, random);
  await page.locator('body[data-scanned="yes"]').waitFor({ state: 'attached', timeout: 10_000 });
  await confirm(api(qrlogin.url), phone.token, random);

  await page.locator('body[data-user]').waitFor({ state: 'attached', timeout: 10_000 });
  const user = JSON.parse((await page.locator('body').getAttribute('data-user')) ?? '{}') as { id?: string; nickname?: string; token?: string };
  expect(user).toMatchObject({ id: phone.user.id, nickname: 'Authing Fan', token: expect.any(String) });
  expect(await page.locator('body').getAttribute('data-error')).toBeNull();
  // The SDK knows nothing of secrets: the cookie did the proving.
  expect(secretHeaders).toEqual([]);
});
