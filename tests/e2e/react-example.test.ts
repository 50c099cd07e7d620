/**
 * examples/react, started as its README says (`serve.mjs` builds it with esbuild, resolving
 * `@qrlogin/react` by its package name), on its own origin, with the app entry of its
 * apps.json (issue 14). Under React's strict mode: the QR is read from the pixels, the phone
 * (`@qrlogin/mobile`) approves, the page shows the user; the first mount leaves no socket, and
 * closing the QR (unmounting `<QrLogin/>`) closes the second one.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { API } from '../../shared/http';
import { readQrFrom } from '../helpers/browser';
import { snap, usePages } from '../helpers/pages';
import { freePort } from '../helpers/redis-server';
import { ROOT, type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const EXAMPLE = join(ROOT, 'examples', 'react');

let qrlogin: TestServer;
let shop: ChildProcess | undefined;
let shopUrl: string;

/** Resolves once the example prints its address (at most 30 s). */
async function started(child: ChildProcess): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start: ${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('example shop (React) on http://')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${String(code)}): ${output}`));
    });
  });
}

beforeAll(async () => {
  // What `npm run example:react` does before serve.mjs.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-packages.mjs'), '--js-only', 'web', 'react', 'node'], { stdio: 'pipe' });
  const port = await freePort();
  shopUrl = `http://127.0.0.1:${port}`;
  // The README's app entry, with this test's origin instead of http://localhost:5173.
  const entry = JSON.parse(readFileSync(join(EXAMPLE, 'apps.json'), 'utf8')) as { apps: { origins: string[] }[] };
  const apps = entry.apps.map((app) => ({ ...app, origins: [shopUrl] }));
  qrlogin = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
  shop = spawn(process.execPath, [join(EXAMPLE, 'serve.mjs')], {
    env: { ...process.env, PORT: String(port), EXAMPLE_HOST: '127.0.0.1', QRLOGIN_HOST: qrlogin.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await started(shop);
}, 60_000);

afterAll(async () => {
  if (shop && shop.exitCode === null) {
    shop.kill('SIGTERM');
    await once(shop, 'exit');
  }
  await qrlogin?.close();
});

/** Sockets connected to the qrlogin server right now. */
const sockets = () => qrlogin.app.io.engine.clientsCount;

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

/** The shop with its QR pending, and every request it sends to qrlogin. */
async function openShop(): Promise<{ page: Page; requests: string[] }> {
  const page = await pages.page();
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(qrlogin.url)) requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  await page.goto(shopUrl);
  await page.locator('.login[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 10_000 });
  return { page, requests };
}

test('strict mode: the QR is read from the pixels, the phone approves, the page shows the user', async () => {
  const { page, requests } = await openShop();
  // Strict mode mounts <QrLogin/> twice; the widget starts once its element is attached, so
  // the rehearsal makes no QR, and one socket stays.
  expect(await until(() => sockets() === 1, 5_000)).toBe(true);
  await page.waitForTimeout(500);
  expect(sockets()).toBe(1);
  expect(requests.filter((request) => request === `POST ${API.gene}`)).toHaveLength(1);
  await snap(page, 'react-example-pending', '.login');

  const random = parseQrCode(await readQrFrom(page.locator('.login'))).random;
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  await phone.register({
    username: `react_${Math.random().toString(36).slice(2, 10)}`,
    password: 'correct horse battery',
    nickname: 'Ada',
  });
  await phone.scanned({ random });
  const verified = page.waitForRequest((request) => request.url() === `${shopUrl}/api/session`);
  await phone.confirm({ random });

  // The page shows the user once the example's backend verified the ID token (@qrlogin/node).
  await page.locator('#user').waitFor({ timeout: 10_000 });
  expect(await page.locator('#user').textContent()).toBe('Signed in as Ada');
  const token = ((await verified).postDataJSON() as { token: string }).token;
  const post = (body: unknown) =>
    fetch(`${shopUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const accepted = await post({ token });
  expect(accepted.status).toBe(200);
  expect(((await accepted.json()) as { user: { nickname: string } }).user.nickname).toBe('Ada');
  // The same token with one payload character changed: the backend refuses it.
  const [header, payload = '', signature] = token.split('.');
  const flipped = `${payload.slice(0, 10)}${payload[10] === 'A' ? 'B' : 'A'}${payload.slice(11)}`;
  const tampered = await post({ token: `${header}.${flipped}.${signature}` });
  expect(tampered.status).toBe(401);
  expect(await tampered.json()).toEqual({ error: 'invalid' });
  expect(await until(() => sockets() === 0, 5_000)).toBe(true);
});

test('closing the QR unmounts <QrLogin/>: its socket closes and its requests stop', async () => {
  const { page, requests } = await openShop();
  expect(await until(() => sockets() === 1, 5_000)).toBe(true);
  await page.getByRole('button', { name: 'Close' }).click();
  expect(await until(() => sockets() === 0, 5_000)).toBe(true);
  const before = requests.length;
  await page.waitForTimeout(1_500);
  expect(requests.slice(before)).toEqual([]);
  expect(sockets()).toBe(0);

  // Opened again, it starts over with one new QR and one socket.
  await page.getByRole('button', { name: 'Sign in with a QR code' }).click();
  await page.locator('.login[data-qrlogin-status="pending"]').waitFor({ state: 'attached' });
  expect(await until(() => sockets() === 1, 5_000)).toBe(true);
  await page.waitForTimeout(500);
  expect(sockets()).toBe(1);
});
