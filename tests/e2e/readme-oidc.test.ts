/**
 * The README's OpenID Connect relying party (`rp.mjs` in "Sign in with OpenID Connect") works as
 * written: copied into a folder of its own (only the host and port literals replaced by this
 * test's), run with node, opened in Chromium; the QR on qrlogin's page is read from the pixels,
 * a phone approves, and the relying party says who signed in.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { readQrFrom } from '../helpers/browser';
import { usePages } from '../helpers/pages';
import { freePort } from '../helpers/redis-server';
import { readmeBlock } from '../helpers/readme-blocks';
import { type TestServer, startServer } from '../helpers/server';
import { type SiteProcess, linkNodeModules, startProcess } from '../helpers/site-login';

const pages = usePages();
const SECRET = 'shop-secret-change-me-0123456789';
let qrlogin: TestServer;
let rp: SiteProcess;
let dir = '';
let rpUrl = '';

beforeAll(async () => {
  const port = await freePort();
  rpUrl = `http://127.0.0.1:${port}`;
  const apps = [{ id: 'shop', name: 'Example Shop', secret: SECRET, origins: [], redirectUris: [`${rpUrl}/callback`] }];
  qrlogin = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
  const code = readmeBlock('rp.mjs');
  expect(code).toContain("new URL('http://localhost:3000')");
  const written = code
    .replaceAll('http://localhost:3000', qrlogin.url)
    .replaceAll('http://localhost:5600', rpUrl)
    .replace('.listen(5600, ', `.listen(${port}, '127.0.0.1', `);
  dir = await mkdtemp(join(tmpdir(), 'qrlogin-readme-rp-'));
  writeFileSync(join(dir, 'rp.mjs'), written);
  linkNodeModules(dir);
  rp = await startProcess(process.execPath, ['rp.mjs'], { cwd: dir, env: { SHOP_SECRET: SECRET }, ready: /relying party on/ });
});

afterAll(async () => {
  await rp?.stop();
  await qrlogin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the README relying party signs in by QR as written', async () => {
  const page = await pages.page();
  await page.goto(`${rpUrl}/login`);
  await page.locator('#qr[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 10_000 });
  const qr = parseQrCode(await readQrFrom(page.locator('#qr')));
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  const { user } = await phone.register({
    username: `reader_${Math.random().toString(36).slice(2, 10)}`,
    password: 'correct horse battery',
    nickname: 'Reader',
  });
  await phone.scanned(qr);
  await phone.confirm(qr);
  await page.waitForURL(`${rpUrl}/callback?**`, { timeout: 10_000 });
  expect(await page.locator('body').textContent()).toBe(`Signed in as Reader (${user.id}, qr)`);
});
