/**
 * The widget on a site of its own when the app is configured for something else, as a new
 * integrator meets it (issue 14): an app that lets only its backend exchange tickets still
 * hands the page the ticket, and the console names the setting; a page whose origin the app
 * does not list says so in a sentence instead of "Failed to fetch".
 */
import type { Page } from 'playwright-core';
import { API } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { bearer, registerUser, scan } from '../helpers/flow';
import { serveSite, usePages, waitForStatus } from '../helpers/pages';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const SECRET = 'shop-secret-0123456789';
/** A page that loads the widget from `?host=` for the app `?app=`, and prints what onSuccess got. */
const HTML = `<!doctype html><meta charset="utf-8"><title>Shop</title><div id="qrcode"></div><pre id="out"></pre>
<script>
  const params = new URLSearchParams(location.search);
  const script = document.createElement('script');
  script.src = params.get('host') + '/sdk/qrlogin.js';
  script.onload = () => new QrLogin.QrLoginClient({ host: params.get('host'), appId: params.get('app') }).startScanning('qrcode', {
    onSuccess: (user, ticket) => { document.getElementById('out').textContent = JSON.stringify({ user, ticket }); },
  });
  document.head.appendChild(script);
</script>`;

let site: Awaited<ReturnType<typeof serveSite>>;
const servers: TestServer[] = [];
beforeAll(async () => {
  site = await serveSite(HTML);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await site?.close();
});

async function shopServer(origins: string[]): Promise<TestServer> {
  const server = await startServer({ env: { APPS: JSON.stringify([{ id: 'shop', name: 'Shop', secret: SECRET, origins }]) } });
  servers.push(server);
  return server;
}

async function openShop(server: TestServer): Promise<{ page: Page; warnings: string[] }> {
  const page = await pages.page();
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  await page.goto(`${site.url}/?host=${encodeURIComponent(server.url)}&app=shop`);
  return { page, warnings };
}

test('an app without browser exchange: onSuccess still gets the ticket, the console names the setting, the backend exchanges it', async () => {
  const server = await shopServer([site.url]);
  const { page, warnings } = await openShop(server);
  await waitForStatus(page, 'pending', 10_000);
  const random = parseQrCode(await readQrFrom(page.locator('#qrcode canvas, #qrcode img').first())).random;
  const http = api(server.url);
  const phone = await registerUser(http, 'Shopper');
  await scan(http, phone.token, random);
  await http.post(API.confirm, { random }, bearer(phone.token));

  await page.locator('#out').filter({ hasText: 'ticket' }).waitFor();
  const handed = JSON.parse((await page.locator('#out').textContent()) ?? '{}') as { user: object; ticket: string };
  expect(handed.user).toEqual({});
  expect(warnings.join('\n')).toMatch(/allowBrowserExchange: false.*autoExchangeUserInfo: false/);
  const exchanged = await http.post<{ id: string }>(API.userinfo, { ticket: handed.ticket }, { authorization: `Bearer ${SECRET}` });
  expect(exchanged.body).toMatchObject({ code: 200, data: { id: phone.user.id } });
});

for (const [refusal, ownDemo] of [
  ['by the app (another app lists the origin: a readable 403)', false],
  ['by every app (CORS: the browser only sees "Failed to fetch")', true],
] as const) {
  test(`a page whose origin is refused ${refusal}: the widget says so in a sentence, the console says what to add`, async () => {
    const demo = { id: 'demo', name: 'Demo', secret: 'demo-secret-0123456789', origins: ['https://demo.example'] };
    const shop = { id: 'shop', name: 'Shop', secret: SECRET, origins: ['https://shop.example'] };
    // An app of one's own named `demo` replaces the built-in one, which admits any 127.0.0.1 port.
    const server = await startServer({ env: { APPS: JSON.stringify(ownDemo ? [shop, demo] : [shop]) } });
    servers.push(server);
    const { page, warnings } = await openShop(server);
    await waitForStatus(page, 'error', 10_000);
    const text = await page.locator('#qrcode .qrlogin-status').textContent();
    expect(text).toBe(
      `Could not load the QR code: this website (${site.url}) is not allowed to use this sign-in; its owner must add it to the app’s allowed origins`,
    );
    expect(warnings.join('\n')).toContain(`add ${site.url} to the origins of the app`);
  });
}
