/**
 * The widget's manners in real Chromium: a clock of the time left, and no work while the tab
 * is hidden (a check as soon as it is shown again).
 */
import { snap, usePages, waitForStatus } from '../helpers/pages';
import { API, type SessionData } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { api, dataOf } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
const afterAllClose: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(afterAllClose.map((close) => close()));
  await server?.close();
});

test('an open QR shows the time left, counting down, outside the live region', async () => {
  const page = await pages.page();
  await page.goto(`${server.url}/`);
  await waitForStatus(page, 'pending', 10_000);
  const clock = page.locator('#qrcode .qrlogin-countdown');
  const first = (await clock.textContent()) ?? '';
  expect(first).toMatch(/^[12]:\d\d left$/);
  await page.waitForTimeout(2_100);
  const later = (await clock.textContent()) ?? '';
  const seconds = (text: string) => {
    const [m = '0', s = '0'] = text.replace(' left', '').split(':');
    return Number(m) * 60 + Number(s);
  };
  expect(seconds(later)).toBeLessThan(seconds(first));
  expect(await clock.getAttribute('aria-live')).toBeNull();
  expect(await page.locator('#qrcode .qrlogin-status').getAttribute('aria-live')).toBe('polite');
});

test('a hidden tab stops polling; showing it checks at once and polling resumes', async () => {
  // A server whose Socket.IO refuses every connection: the widget falls back to polling.
  const noSockets = await startServer();
  noSockets.app.io.use((_socket, next) => next(new Error('sockets are off here')));
  afterAllClose.push(() => noSockets.close());
  const page = await pages.page();
  const checks: number[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/v2/qrcode/check')) checks.push(Date.now());
  });
  await page.goto(`${noSockets.url}/`);
  await waitForStatus(page, 'pending', 10_000);
  await page.waitForTimeout(2_000);
  expect(checks.length).toBeGreaterThan(0);

  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { value, configurable: true });
      Object.defineProperty(document, 'hidden', { value: value === 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);

  await setVisibility('hidden');
  await page.waitForTimeout(1_000);
  const hiddenFrom = checks.length;
  await page.waitForTimeout(3_000);
  expect(checks.length).toBe(hiddenFrom);

  const shownAt = Date.now();
  await setVisibility('visible');
  await page.waitForTimeout(2_000);
  const after = checks.filter((at) => at >= shownAt);
  expect(after.length).toBeGreaterThanOrEqual(2);
  expect((after[0] ?? Infinity) - shownAt).toBeLessThan(500);
});

test('while the QR is being created the widget says so (busy, no QR yet)', async () => {
  const page = await pages.page();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v2/qrcode/gene', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${server.url}/`);
  await waitForStatus(page, 'loading');
  expect(await page.locator('#qrcode').getAttribute('aria-busy')).toBe('true');
  await page.locator('#qrcode .qrlogin-status', { hasText: 'Loading QR code' }).waitFor();
  await snap(page, 'widget-loading', '#qrcode');
  release();
  await waitForStatus(page, 'pending');
  expect(await page.locator('#qrcode').getAttribute('aria-busy')).toBe('false');
});

test('a QR that cannot be created shows the error with a retry button that works', async () => {
  const page = await pages.page();
  let refuse = true;
  await page.route('**/api/v2/qrcode/gene', (route) => (refuse ? route.abort('connectionrefused') : route.continue()));
  await page.goto(`${server.url}/`);
  await waitForStatus(page, 'error', 10_000);
  await snap(page, 'widget-error', '#qrcode');
  const retry = page.locator('#qrcode .qrlogin-action');
  await retry.waitFor({ state: 'visible' });
  refuse = false;
  await retry.click();
  await waitForStatus(page, 'pending');
  await page.locator('#qrcode canvas, #qrcode img').first().waitFor();
});

test('the scanner’s avatar and name appear once scanned, only for an app that shows them', async () => {
  const apps = [
    {
      id: 'demo',
      name: 'Friendly',
      secret: 'friendly-demo-secret-0123',
      origins: ['http://127.0.0.1:*'],
      allowBrowserExchange: true,
      showScannerOnWeb: true,
    },
  ];
  const friendly = await startServer({ env: { APPS: JSON.stringify(apps) } });
  afterAllClose.push(() => friendly.close());
  const photo = `${friendly.url}/favicon.svg`;
  const phone = dataOf(
    await api(friendly.url).post<SessionData>(API.register, {
      username: `avatar${Date.now()}`,
      password: 'correct horse battery',
      nickname: 'Ava',
      photo,
    }),
  );

  for (const [url, shows] of [
    [server.url, false],
    [friendly.url, true],
  ] as const) {
    const page = await pages.page();
    await page.goto(`${url}/`);
    await waitForStatus(page, 'pending', 10_000);
    const random = parseQrCode(await readQrFrom(page.locator('#qrcode canvas, #qrcode img').first())).random;
    const token =
      url === friendly.url
        ? phone.token
        : await (async () =>
            dataOf(
              await api(url).post<SessionData>(API.register, {
                username: `plain${Date.now()}`,
                password: 'correct horse battery',
                nickname: 'Hidden',
              }),
            ).token)();
    await scan(api(url), token, random);
    await waitForStatus(page, 'scanned');
    const scanner = page.locator('#qrcode .qrlogin-scanner');
    if (shows) {
      await scanner.locator('span', { hasText: 'Ava' }).waitFor();
      expect(await scanner.locator('img').getAttribute('alt')).toBe('Ava');
      expect(await scanner.locator('img').getAttribute('src')).toBe(photo);
      await snap(page, 'widget-scanned-with-avatar', '#qrcode');
    } else {
      expect(await scanner.isHidden()).toBe(true);
      expect(await page.locator('#qrcode').textContent()).not.toContain('Hidden');
    }
  }
});
