/**
 * The README's "Web SDK" snippets work when copied: each `html` block of that section, with only
 * `https://login.example.com` replaced by a real qrlogin server, is served as a page of another
 * origin (which the demo app lists); a phone reads the QR from the pixels and approves, and the
 * page signs in as the snippet says it does.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { readQrFrom } from '../helpers/browser';
import { usePages } from '../helpers/pages';
import { ROOT, type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const PLACEHOLDER = 'https://login.example.com';

/** The fenced `html` blocks of one README section. */
function htmlBlocks(heading: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const end = readme.indexOf('\n## ', start + heading.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```html\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

const [scriptTag, element] = htmlBlocks('## Web SDK');
let page = '';
const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
let qrlogin: TestServer;
let siteUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  qrlogin = await startServer({
    configure: (config) => ({
      ...config,
      apps: config.apps.map((app) => (app.id === 'demo' ? { ...app, origins: [...app.origins, siteUrl] } : app)),
    }),
  });
});

afterAll(async () => {
  await qrlogin?.close();
  await new Promise<void>((resolve) => site.close(() => resolve()));
});

/** Serves `snippet` (the qrlogin address filled in) inside a page, and opens it. */
async function open(snippet: string): Promise<{ tab: Page; console: string[] }> {
  expect(snippet).toContain(PLACEHOLDER);
  page = `<!doctype html><meta charset="utf-8"><title>README</title>\n${snippet.replaceAll(PLACEHOLDER, qrlogin.url)}`;
  const tab = await pages.page();
  const console: string[] = [];
  tab.on('console', (message) => console.push(message.text()));
  await tab.goto(siteUrl);
  return { tab, console };
}

/** A phone reads the QR inside `selector` from its pixels, signs up as `nickname` and approves. */
async function approve(tab: Page, selector: string, nickname: string): Promise<void> {
  await tab.locator(`${selector}[data-qrlogin-status="pending"]`).waitFor({ state: 'attached', timeout: 10_000 });
  const qr = parseQrCode(await readQrFrom(tab.locator(selector)));
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  await phone.register({ username: `readme_${Math.random().toString(36).slice(2, 10)}`, password: 'correct horse battery', nickname });
  await phone.scanned(qr);
  await phone.confirm(qr);
}

test('the README has both Web SDK snippets', () => {
  expect(scriptTag).toContain('startScanning');
  expect(element).toContain('<qr-login');
});

test('the script-tag snippet (QrLoginClient.startScanning) signs in', async () => {
  const { tab } = await open(scriptTag ?? '');
  await approve(tab, '#qrcode', 'Snippet One');
  await tab.locator('#qrcode[data-qrlogin-status="confirmed"]').waitFor({ state: 'attached', timeout: 10_000 });
});

test('the <qr-login> snippet signs in and logs the nickname', async () => {
  const { tab, console } = await open(element ?? '');
  await approve(tab, 'qr-login', 'Snippet Two');
  await tab.locator('qr-login[data-qrlogin-status="confirmed"]').waitFor({ state: 'attached', timeout: 10_000 });
  const end = Date.now() + 10_000;
  while (!console.includes('signed in as Snippet Two') && Date.now() < end) await tab.waitForTimeout(50);
  expect(console).toContain('signed in as Snippet Two');
});
