/**
 * The widget on a website of its own (another origin), loaded from `/sdk/qrlogin.js` with
 * options: Chinese texts with a `tips` override, theme colours through CSS custom properties,
 * a logo, and the accessible names of its parts.
 */
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { registerUser, scan } from '../helpers/flow';
import { snap, serveSite, usePages, waitForStatus } from '../helpers/pages';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
let qrlogin: TestServer;
let site: Awaited<ReturnType<typeof serveSite>>;

beforeAll(async () => {
  qrlogin = await startServer();
  const html = `<!doctype html><meta charset="utf-8"><title>Options</title>
<style>#qrcode { --qrlogin-bg: rgb(250, 240, 200); --qrlogin-fg: rgb(20, 30, 40); --qrlogin-accent: rgb(200, 0, 80); }</style>
<div id="qrcode"></div>
<script src="${qrlogin.url}/sdk/qrlogin.js"></script>
<script>
  new QrLogin.QrLoginClient({ host: ${JSON.stringify(qrlogin.url)} }).startScanning('qrcode', {
    lang: 'zh-CN',
    tips: { pending: '请用 Acme App 扫一扫' },
    logo: ${JSON.stringify(`${qrlogin.url}/favicon.svg`)},
  });
</script>`;
  site = await serveSite(html);
});

afterAll(async () => {
  await site?.close();
  await qrlogin?.close();
});

test('zh-CN texts with a tips override, theme colours, a logo, and accessible names', async () => {
  const page = await pages.page();
  await page.goto(site.url);
  await waitForStatus(page, 'pending', 10_000);
  const status = page.locator('#qrcode .qrlogin-status');
  expect(await status.textContent()).toBe('请用 Acme App 扫一扫');
  expect(await status.getAttribute('aria-live')).toBe('polite');
  expect(await page.locator('#qrcode .qrlogin-countdown').textContent()).toMatch(/^剩余 \d:\d\d$/);

  const qr = page.locator('#qrcode .qrlogin-qr');
  expect(await qr.getAttribute('role')).toBe('img');
  expect(await qr.getAttribute('aria-label')).toBe('登录二维码：请使用手机 App 扫码登录');
  expect(await page.locator('#qrcode .qrlogin-logo').getAttribute('src')).toBe(`${qrlogin.url}/favicon.svg`);
  expect(await page.locator('#qrcode .qrlogin-code').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(250, 240, 200)');
  expect(await status.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(20, 30, 40)');
  await snap(page, 'widget-options-zh', '#qrcode');

  // Scanned, in Chinese (the default text, no tip for it).
  const random = parseQrCode(await readQrFrom(qr)).random;
  const phone = await registerUser(api(qrlogin.url));
  await scan(api(qrlogin.url), phone.token, random);
  await waitForStatus(page, 'scanned');
  expect(await status.textContent()).toBe('扫码成功，请在手机上确认');

  // Cancelled: a refresh button in the accent colour.
  await api(qrlogin.url).post('/api/v2/qrcode/cancel', { random }, { authorization: `Bearer ${phone.token}` });
  await waitForStatus(page, 'cancelled');
  expect(await status.textContent()).toBe('已在手机上取消登录');
  const refresh = page.locator('#qrcode .qrlogin-action');
  expect(await refresh.textContent()).toBe('刷新二维码');
  expect(await refresh.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(200, 0, 80)');
});
