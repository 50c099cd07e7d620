/**
 * The demo phone page with the company's own token, in real Chromium, against a real identity
 * provider (oidc-provider, tests/helpers/idp) and a qrlogin whose built-in accounts are off: a
 * company app opens `/mobile#token=<its access token>`; the page takes the token out of the
 * address bar at once, checks it (`GET /api/v2/me`), shows the account's nickname and scans the
 * demo website's QR; approving signs the website in as that account. A token the provider does
 * not vouch for brings "Please sign in again" and leaves nothing stored; "Log out" revokes the
 * token on qrlogin. The token never travels in a URL, and is never logged or shown.
 */
import type { Page } from 'playwright-core';
import { API, type Envelope, type MeData, type UserInfoData } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { bearer } from '../helpers/flow';
import { type TestIdp, startIdp } from '../helpers/idp/index';
import { SHOP_API, idpEnv } from '../helpers/idp/login';
import { usePages, waitForStatus } from '../helpers/pages';
import { type TestServer, startServer } from '../helpers/server';

const TOKEN_KEY = 'qrlogin.demo.token';
const USER_KEY = 'qrlogin.demo.user';

let idp: TestIdp;
let server: TestServer;
const pages = usePages();

beforeAll(async () => {
  idp = await startIdp();
  server = await startServer({ env: { ...idpEnv(idp), BUILTIN_USERS: 'false' } });
});
afterAll(async () => {
  await server?.close();
  await idp?.stop();
});

/** A phone page and what it sent: every request URL, the `me` calls' headers, its console. */
interface Phone {
  phone: Page;
  urls: string[];
  meCalls: string[];
  console: string[];
}

/** Opens `/mobile#token=<token>` as a company app's web view would. */
async function openWithToken(token: string, locale = 'en-US'): Promise<Phone> {
  const phone = await pages.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale });
  const opened: Phone = { phone, urls: [], meCalls: [], console: [] };
  phone.on('request', (request) => {
    opened.urls.push(request.url());
    if (new URL(request.url()).pathname === API.me) opened.meCalls.push(request.headers().authorization ?? '');
  });
  phone.on('console', (message) => opened.console.push(message.text()));
  await phone.goto(`${server.url}/mobile#token=${encodeURIComponent(token)}`);
  return opened;
}

const stored = (phone: Page, key: string) => phone.evaluate((name) => localStorage.getItem(name), key);

/** The token went nowhere but the Authorization header: not in a URL, the page, its console, the server's logs. */
async function expectTokenKeptQuiet({ phone, urls, console }: Phone, token: string): Promise<void> {
  expect(phone.url()).toBe(`${server.url}/mobile`);
  expect(await phone.evaluate(() => location.hash)).toBe('');
  expect(urls.filter((url) => url.includes(token))).toEqual([]);
  expect(console.filter((line) => line.includes(token))).toEqual([]);
  expect(await phone.locator('body').innerText()).not.toContain(token);
  expect(server.logs.filter((line) => line.includes(token))).toEqual([]);
}

async function openSite(): Promise<Page> {
  const site = await pages.page({ viewport: { width: 1100, height: 800 } });
  await site.goto(`${server.url}/`);
  await waitForStatus(site, 'pending', 10_000);
  return site;
}

test('a company token in the fragment: it leaves the address bar, the page shows the account, and approving signs the website in as it', async () => {
  const token = await idp.mint('alice-1001', { resource: SHOP_API });
  expect(token.split('.')).toHaveLength(3);
  const opened = await openWithToken(token);
  const { phone } = opened;

  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  expect(phone.url()).not.toContain('#token');
  expect(await phone.locator('#whoami').textContent()).toBe('Alice Example');
  expect(await phone.locator('#auth-view').isHidden()).toBe(true);
  expect(opened.meCalls).toEqual([`Bearer ${token}`]);
  expect(await stored(phone, TOKEN_KEY)).toBe(token);
  expect(JSON.parse((await stored(phone, USER_KEY)) ?? 'null')).toMatchObject({ id: 'alice-1001', nickname: 'Alice Example' });

  // The demo website's QR, read off its screen and pasted on the phone.
  const site = await openSite();
  const text = await readQrFrom(site.locator('#qrcode canvas, #qrcode img').first());
  expect(parseQrCode(text).appId).toBe('demo');
  await phone.fill('#qr-text', text);
  await phone.click('#qr-submit');
  await phone.locator('#confirm-view').waitFor({ state: 'visible' });
  expect(await phone.locator('#req-app').textContent()).toBe('qrlogin demo');
  expect(await phone.locator('#req-origin').textContent()).toBe(server.url);
  expect(await phone.locator('#approve').isVisible()).toBe(true);
  await waitForStatus(site, 'scanned');

  const exchanged = site.waitForResponse((response) => new URL(response.url()).pathname === API.userinfo);
  await phone.click('#approve');
  const answer = (await (await exchanged).json()) as Envelope<UserInfoData>;
  expect(answer.code).toBe(200);
  expect(answer.data).toMatchObject({ id: 'alice-1001', username: 'alice', nickname: 'Alice Example' });
  await waitForStatus(site, 'confirmed');
  await site.locator('#user', { hasText: 'Signed in as Alice Example' }).waitFor();
  expect(JSON.parse((await site.locator('#claims').textContent()) ?? '{}')).toMatchObject({ sub: 'alice-1001', name: 'Alice Example' });
  await phone.locator('#result', { hasText: 'Approved' }).waitFor();

  await expectTokenKeptQuiet(opened, token);
});

test('"Log out" with a company token revokes it on qrlogin (the server refuses it from then on)', async () => {
  const token = await idp.mint('alice-1001', { resource: SHOP_API });
  const { phone } = await openWithToken(token);
  await phone.locator('#scan-view').waitFor({ state: 'visible' });

  const loggedOut = phone.waitForResponse((response) => new URL(response.url()).pathname === API.logout);
  await phone.click('#logout');
  const response = await loggedOut;
  expect(response.request().headers().authorization).toBe(`Bearer ${token}`);
  expect(await response.json()).toMatchObject({ code: 200 });
  await phone.locator('#auth-view').waitFor({ state: 'visible' });
  expect(await phone.locator('#auth-notice').isHidden()).toBe(true);
  expect(await stored(phone, TOKEN_KEY)).toBeNull();
  expect(await stored(phone, USER_KEY)).toBeNull();
  expect((await api(server.url).get<MeData>(API.me, bearer(token))).body.code).toBe(2020);
});

test('a token the provider does not vouch for (expired): "Please sign in again" at load, nothing stored', async () => {
  const expired = await idp.mint('alice-1001', { resource: SHOP_API, expired: true });
  expect((await api(server.url).get<MeData>(API.me, bearer(expired))).body.code).toBe(2020);
  const opened = await openWithToken(expired);
  const { phone } = opened;

  await phone.locator('#auth-notice', { hasText: 'Please sign in again' }).waitFor({ state: 'visible' });
  await phone.locator('#auth-form').waitFor({ state: 'visible' });
  expect(opened.meCalls).toEqual([`Bearer ${expired}`]);
  expect(await phone.locator('#scan-view').isHidden()).toBe(true);
  expect(await phone.locator('#whoami').isHidden()).toBe(true);
  expect(await phone.locator('#error').isHidden()).toBe(true);
  expect(await stored(phone, TOKEN_KEY)).toBeNull();
  expect(await stored(phone, USER_KEY)).toBeNull();
  await expectTokenKeptQuiet(opened, expired);

  // A reload has nothing to check: the form, without the notice.
  await phone.reload();
  await phone.locator('#auth-form').waitFor({ state: 'visible' });
  expect(await phone.locator('#auth-notice').isHidden()).toBe(true);
  expect(opened.meCalls).toHaveLength(1);
});

test('a new token handed to the open page (only the fragment changes) replaces the one it had', async () => {
  const first = await idp.mint('alice-1001', { resource: SHOP_API });
  const opened = await openWithToken(first, 'zh-CN');
  const { phone } = opened;
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  expect(await phone.locator('#whoami').textContent()).toBe('Alice Example');

  // The app hands another account's token (opaque: introspected) to the same document.
  const second = await idp.mint('bob-2002');
  await phone.evaluate(
    (fragment) => {
      location.hash = fragment;
    },
    `token=${encodeURIComponent(second)}`,
  );
  await phone.locator('#whoami', { hasText: 'Bob Builder' }).waitFor();
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  expect(await stored(phone, TOKEN_KEY)).toBe(second);
  expect(opened.meCalls).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
  await expectTokenKeptQuiet(opened, second);

  // And a refused one in its place: the form says "请重新登录", nothing is kept.
  await phone.evaluate(
    (fragment) => {
      location.hash = fragment;
    },
    `token=${encodeURIComponent(await idp.mint('bob-2002', { expired: true, resource: SHOP_API }))}`,
  );
  await phone.locator('#auth-notice', { hasText: '请重新登录' }).waitFor({ state: 'visible' });
  expect(await stored(phone, TOKEN_KEY)).toBeNull();
  expect(phone.url()).toBe(`${server.url}/mobile`);
});
