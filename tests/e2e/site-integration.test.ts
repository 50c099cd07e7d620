/**
 * A website integrating qrlogin the documented ways, in real Chromium with a phone approving:
 * - examples/html-express, started as its README says (`npm run example:html`, qrlogin on its
 *   apps.json), with ports of the test's own;
 * - the README's "Add QR login to your site" trio (apps.json, index.html, server.mjs), copied
 *   into a folder as written — only the addresses changed — and run.
 * Each time the page says "Signed in as <nickname>" and the backend's onLogin started a session
 * (an HttpOnly cookie) for the right user.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { snap, usePages } from '../helpers/pages';
import { type ServerProcess, spawnServer } from '../helpers/process-server';
import { freePort } from '../helpers/redis-server';
import { readmeSection, titledBlocks } from '../helpers/readme-blocks';
import { ROOT } from '../helpers/server';
import { type SiteProcess, approveWithPhone, linkNodeModules, startProcess } from '../helpers/site-login';

const pages = usePages();
const running: { stop(): Promise<unknown> }[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qrlogin-site-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.stop()));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** qrlogin as `APPS_FILE=<apps> npm start` runs it (the built server), on a free port. */
async function startQrLogin(appsFile: string): Promise<ServerProcess> {
  const server = await spawnServer({ env: { APPS_FILE: appsFile, STORE: 'memory', DATA_DIR: join(dir, 'data') } });
  running.push(server);
  return server;
}

/** Opens the site, has a phone approve, and waits for the page to say who signed in. */
async function signIn(page: Page, siteUrl: string, qrloginUrl: string, nickname: string): Promise<{ userId: string }> {
  await page.goto(siteUrl);
  const approved = await approveWithPhone(page, qrloginUrl, nickname);
  await page.getByText(`Signed in as ${nickname}`).waitFor({ timeout: 10_000 });
  return approved;
}

async function sessionCookie(page: Page): Promise<{ httpOnly: boolean } | undefined> {
  return (await page.context().cookies()).find((cookie) => cookie.name === 'sid');
}

test('examples/html-express, started as its README says, signs in', async () => {
  const sitePort = await freePort();
  const siteUrl = `http://localhost:${sitePort}`;
  const apps = readFileSync(join(ROOT, 'examples/html-express/apps.json'), 'utf8');
  expect(apps).toContain('"http://localhost:5500"');
  const appsFile = join(dir, 'example-apps.json');
  writeFileSync(appsFile, apps.replaceAll('http://localhost:5500', siteUrl));
  const qrlogin = await startQrLogin(appsFile);

  const readme = readFileSync(join(ROOT, 'examples/html-express/README.md'), 'utf8');
  expect(readme).toContain('APPS_FILE=examples/html-express/apps.json npm start');
  expect(readme).toMatch(/^npm run example:html\b/m);
  const site: SiteProcess = await startProcess('npm', ['run', '-s', 'example:html'], {
    cwd: ROOT,
    env: { PORT: String(sitePort), QRLOGIN_HOST: qrlogin.url },
    ready: /Example shop on http:\/\/localhost:\d+/,
  });
  running.push(site);

  const page = await pages.page();
  const { userId } = await signIn(page, siteUrl, qrlogin.url, 'Example Shopper');
  await snap(page, 'example-html-express-signed-in');
  expect(site.output()).toContain(`signed in: Example Shopper (${userId})`);
  expect(await sessionCookie(page)).toMatchObject({ httpOnly: true });
  // The cookie is a session: the backend knows who it signs in.
  const me = await page.evaluate(async () => (await fetch('/api/me')).json());
  expect(me).toMatchObject({ user: { id: userId, nickname: 'Example Shopper' } });
});

/** The fenced blocks of the README's "Add QR login to your site", by their `title="…"`. */
function readmeTrio(): { files: Map<string, string>; section: string } {
  const section = readmeSection('Add QR login to your site');
  return { files: titledBlocks(section), section };
}

test('the README trio, copied into a test as written, signs in', async () => {
  const { files, section } = readmeTrio();
  expect([...files.keys()]).toEqual(['apps.json', 'index.html', 'server.mjs']);
  const secret = /`QRLOGIN_APP_SECRET=(\S+) node server\.mjs`/.exec(section)?.[1];
  expect(secret).toBeDefined();
  expect(JSON.parse(files.get('apps.json') ?? '') as unknown).toMatchObject({
    apps: [{ id: 'shop', secret, allowBrowserExchange: false }],
  });

  // The documented addresses become the test's: qrlogin's port is known only once it runs, and
  // apps.json must name the site's origin before it starts.
  const sitePort = await freePort();
  const siteDir = join(dir, 'trio');
  mkdirSync(siteDir);
  const write = (name: string, qrloginUrl: string) =>
    writeFileSync(
      join(siteDir, name),
      (files.get(name) ?? '').replaceAll('http://localhost:3000', qrloginUrl).replaceAll('5500', String(sitePort)),
    );
  write('apps.json', 'http://localhost:3000');
  const qrlogin = await startQrLogin(join(siteDir, 'apps.json'));
  write('index.html', qrlogin.url);
  write('server.mjs', qrlogin.url);
  linkNodeModules(siteDir);

  const site = await startProcess(process.execPath, ['server.mjs'], {
    cwd: siteDir,
    env: { QRLOGIN_APP_SECRET: secret ?? '' },
    ready: /Example Shop on http:\/\/localhost:\d+/,
  });
  running.push(site);

  const page = await pages.page();
  const { userId } = await signIn(page, `http://localhost:${sitePort}`, qrlogin.url, 'Trio Shopper');
  await snap(page, 'readme-trio-signed-in');
  expect(site.output()).toContain(`signed in: Trio Shopper (${userId})`);
  expect(await sessionCookie(page)).toMatchObject({ httpOnly: true });
});
