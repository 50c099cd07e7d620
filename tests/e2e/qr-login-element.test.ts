/**
 * `<qr-login>` on a website of its own origin (issue 14): the page loads `@qrlogin/web` as a
 * module bundle (esbuild), the QR is read from the element's pixels (inside its shadow root),
 * the phone approves through `@qrlogin/mobile`, and the page hears `qrlogin-success` with the
 * user and the ticket. Also: `data-qrlogin-status` on the element, `::part()` and CSS custom
 * properties, `exchange="server"`, and no socket left once the element leaves the page.
 */
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { verifyIdToken } from '@qrlogin/node';
import { API } from '../../shared/http';
import { readQrFrom } from '../helpers/browser';
import { serveSite, snap, usePages } from '../helpers/pages';
import { ROOT, type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const SECRET = 'shop-secret-0123456789';

/** The shop's page: `<qr-login>` made from the query (`host`, `exchange`), and what it heard. */
const HTML = `<!doctype html><meta charset="utf-8"><title>Shop</title>
<style>
  qr-login { --qrlogin-fg: rgb(20, 30, 40); --qrlogin-bg: rgb(250, 240, 200); }
  qr-login::part(status) { letter-spacing: 3px; }
  qr-login::part(action) { text-transform: uppercase; border-radius: 999px; }
</style>
<main id="slot"></main><pre id="out"></pre>
<script type="module" src="/qrlogin-web.js"></script>
<script type="module">
  const params = new URLSearchParams(location.search);
  const element = document.createElement('qr-login');
  for (const name of ['host', 'exchange']) if (params.get(name)) element.setAttribute(name, params.get(name));
  element.setAttribute('app-id', 'shop');
  element.setAttribute('size', '220');
  window.heard = [];
  element.addEventListener('qrlogin-status', (event) => window.heard.push([event.detail.status, element.dataset.qrloginStatus]));
  document.addEventListener('qrlogin-success', (event) => {
    document.getElementById('out').textContent = JSON.stringify(event.detail);
  });
  document.getElementById('slot').append(element);
</script>`;

let qrlogin: TestServer;
let site: Awaited<ReturnType<typeof serveSite>>;

beforeAll(async () => {
  const bundle = await esbuild.build({
    stdin: { contents: "export * from '@qrlogin/web';", resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    absWorkingDir: ROOT,
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  site = await serveSite(HTML, { '/qrlogin-web.js': { type: 'text/javascript', body: code } });
  qrlogin = await startServer({
    env: { APPS: JSON.stringify([{ id: 'shop', name: 'Shop', secret: SECRET, origins: [site.url], allowBrowserExchange: true }]) },
  });
});

afterAll(async () => {
  await qrlogin?.close();
  await site?.close();
});

/** The shop page with `<qr-login>` pending, and every request it makes from then on. */
async function openShop(query: Record<string, string> = {}): Promise<{ page: Page; requests: string[] }> {
  const page = await pages.page();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
  await page.goto(`${site.url}/?${new URLSearchParams({ host: qrlogin.url, ...query }).toString()}`);
  await page.locator('qr-login[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 10_000 });
  return { page, requests };
}

/** The phone reads the QR from the element's pixels and approves it. */
async function approve(page: Page, nickname: string): Promise<void> {
  const random = parseQrCode(await readQrFrom(page.locator('qr-login'))).random;
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  const username = `shopper_${Math.random().toString(36).slice(2, 10)}`;
  await phone.register({ username, password: 'correct horse battery', nickname });
  await phone.scanned({ random });
  await page.locator('qr-login[data-qrlogin-status="scanned"]').waitFor({ state: 'attached' });
  await phone.confirm({ random });
}

async function heardSuccess(page: Page): Promise<{ user: { nickname?: string; token?: string }; ticket: string }> {
  await page.locator('#out').filter({ hasText: 'ticket' }).waitFor({ timeout: 10_000 });
  return JSON.parse((await page.locator('#out').textContent()) ?? '{}') as { user: { nickname?: string; token?: string }; ticket: string };
}

/** Sockets connected to the qrlogin server right now. */
const sockets = () => qrlogin.app.io.engine.clientsCount;

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

test('the QR in the shadow root is read from the pixels, the phone approves, the page hears the user and the ticket', async () => {
  const { page } = await openShop();
  const shadow = await page.locator('qr-login').evaluate((element) => element.shadowRoot?.mode ?? 'none');
  expect(shadow).toBe('open');
  await snap(page, 'qr-login-element-pending', 'qr-login');

  // Theming: custom properties cross the shadow boundary, ::part() reaches the pieces.
  const style = (part: string, property: string) =>
    page.locator(`qr-login [part="${part}"]`).evaluate((el, name) => getComputedStyle(el).getPropertyValue(name), property);
  expect(await style('status', 'letter-spacing')).toBe('3px');
  expect(await style('action', 'text-transform')).toBe('uppercase');
  // The widget sets the button's radius itself (6px, inline): a page's ::part() rule still wins.
  expect(await style('action', 'border-top-left-radius')).toBe('999px');
  expect(await style('status', 'color')).toBe('rgb(20, 30, 40)');
  expect(await style('code', 'background-color')).toBe('rgb(250, 240, 200)');
  expect(await page.locator('qr-login [part="qr"]').getAttribute('role')).toBe('img');

  await approve(page, 'Shopper');
  const detail = await heardSuccess(page);
  expect(detail.user.nickname).toBe('Shopper');
  expect(detail.user.token).toEqual(expect.any(String));
  expect(detail.ticket).toEqual(expect.any(String));
  // The site's backend verifies the ID token with @qrlogin/node, and refuses it tampered.
  const token = detail.user.token ?? '';
  const claims = await verifyIdToken(token, { issuer: qrlogin.config.issuer, audience: 'shop' });
  expect(claims).toMatchObject({ nickname: 'Shopper', amr: ['qr'] });
  const [header, payload = '', signature] = token.split('.');
  const tampered = `${header}.${payload.slice(0, 10)}${payload[10] === 'A' ? 'B' : 'A'}${payload.slice(11)}.${signature}`;
  await expect(verifyIdToken(tampered, { issuer: qrlogin.config.issuer, audience: 'shop' })).rejects.toMatchObject({ code: 'invalid' });
  const heard = await page.evaluate(() => (window as unknown as { heard: [string, string][] }).heard);
  expect(heard).toEqual([
    ['loading', 'loading'],
    ['pending', 'pending'],
    ['scanned', 'scanned'],
    ['confirmed', 'confirmed'],
  ]);
  expect(await page.locator('qr-login').getAttribute('data-qrlogin-status')).toBe('confirmed');
});

test('exchange="server": the page gets the ticket and an empty user, and the browser never redeems it', async () => {
  const { page, requests } = await openShop({ exchange: 'server' });
  await approve(page, 'Backend Shopper');
  const detail = await heardSuccess(page);
  expect(detail.user).toEqual({});
  expect(detail.ticket).toEqual(expect.any(String));
  expect(requests.filter((request) => request.includes(API.userinfo))).toEqual([]);
  // The ticket is still good for the backend, which holds the app secret.
  const response = await fetch(`${qrlogin.url}${API.userinfo}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
    body: JSON.stringify({ ticket: detail.ticket }),
  });
  expect(((await response.json()) as { data: { nickname: string } }).data.nickname).toBe('Backend Shopper');
});

test('taking the element off the page closes its socket and stops its requests', async () => {
  const { page, requests } = await openShop();
  expect(await until(() => sockets() === 1, 5_000)).toBe(true);
  await page.locator('qr-login').evaluate((element) => element.remove());
  expect(await until(() => sockets() === 0, 5_000)).toBe(true);
  const before = requests.length;
  await page.waitForTimeout(1_500);
  expect(requests.slice(before)).toEqual([]);

  // Back on the page, it starts over with a new QR.
  await page.evaluate(() => {
    const element = document.createElement('qr-login');
    element.setAttribute('host', new URLSearchParams(location.search).get('host') ?? '');
    element.setAttribute('app-id', 'shop');
    document.getElementById('slot')?.append(element);
  });
  await page.locator('qr-login[data-qrlogin-status="pending"]').waitFor({ state: 'attached' });
  expect(await until(() => sockets() === 1, 5_000)).toBe(true);
});
