/**
 * The real `authing-js-sdk` 4.23 browser build (its own `startScanning` widget) in Chromium,
 * on a website of its own origin, against qrlogin: the SDK draws qrlogin's QR, polls `check`
 * with credentials, and exchanges the ticket itself. The ticket is bound to the browser: the
 * SDK sends no secret, only the HttpOnly cookie qrlogin set on `gene` proves it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { confirm, registerUser, scan } from '../helpers/flow';
import { snap, serveSite, usePages } from '../helpers/pages';
import { ROOT, type TestServer, startServer } from '../helpers/server';
import { waitUntil } from '../helpers/sockets';

const pages = usePages();
let qrlogin: TestServer;
let site: Awaited<ReturnType<typeof serveSite>>;

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
  site = await serveSite(html, { '/authing.js': { type: 'text/javascript', body: sdk } });
});

afterAll(async () => {
  await site?.close();
  await qrlogin?.close();
});

test('authing-js-sdk startScanning logs in through qrlogin, the ticket proven by the cookie alone', async () => {
  const page = await pages.page({ viewport: { width: 900, height: 700 } });
  const secretHeaders: string[] = [];
  page.on('request', (request) => {
    const secret = request.headers()['x-qrlogin-secret'];
    if (secret) secretHeaders.push(secret);
  });
  await page.goto(site.url);
  const image = page.locator('#authing-qr img').first();
  await image.waitFor({ state: 'visible', timeout: 10_000 });
  const random = parseQrCode(await readQrFrom(image)).random;
  await snap(page, 'authing-sdk-widget');

  const phone = await registerUser(api(qrlogin.url), 'Authing Fan');
  await scan(api(qrlogin.url), phone.token, random);
  await page.locator('body[data-scanned="yes"]').waitFor({ state: 'attached', timeout: 10_000 });
  await confirm(api(qrlogin.url), phone.token, random);

  await page.locator('body[data-user]').waitFor({ state: 'attached', timeout: 10_000 });
  const user = JSON.parse((await page.locator('body').getAttribute('data-user')) ?? '{}') as {
    id?: string;
    nickname?: string;
    token?: string;
  };
  expect(user).toMatchObject({ id: phone.user.id, nickname: 'Authing Fan', token: expect.any(String) });
  expect(await page.locator('body').getAttribute('data-error')).toBeNull();
  // The SDK knows nothing of secrets: the cookie did the proving.
  expect(secretHeaders).toEqual([]);
});

test('without the cookie the same SDK cannot redeem the ticket (it is bound to the browser)', async () => {
  const page = await pages.page({ viewport: { width: 900, height: 700 } });
  const checks: { status?: number; ticket?: string | null }[] = [];
  page.on('response', (response) => {
    if (!response.url().includes('/api/v2/qrcode/check')) return;
    void response.json().then(
      (body: { data?: { status?: number; ticket?: string | null } }) => checks.push(body.data ?? {}),
      () => undefined,
    );
  });
  await page.goto(site.url);
  const image = page.locator('#authing-qr img').first();
  await image.waitFor({ state: 'visible', timeout: 10_000 });
  const random = parseQrCode(await readQrFrom(image)).random;
  // Someone else's browser, or a ticket stolen in transit: no qrlogin cookie.
  await page.context().clearCookies();

  const phone = await registerUser(api(qrlogin.url), 'Cookie Monster');
  await scan(api(qrlogin.url), phone.token, random);
  await confirm(api(qrlogin.url), phone.token, random);
  // The SDK's polls see the QR confirmed, but without the cookie they carry no ticket.
  await waitUntil(() => checks.some((check) => check.status === 2));
  await page.waitForTimeout(1_000);
  expect(checks.filter((check) => check.status === 2).every((check) => check.ticket === null)).toBe(true);
  expect(await page.locator('body').getAttribute('data-user')).toBeNull();
});
