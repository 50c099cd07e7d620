/**
 * "Signed-in browsers" end to end, in real Chromium against a real qrlogin: the demo website
 * signs in by QR (the phone page approves); the phone page's list shows that browser (app
 * "qrlogin demo", Chrome/Chromium on its system, its IP, when); tapping "Sign out" removes
 * the row and says so; qrlogin's back-channel logout reaches the demo website's backend, and
 * the website — open in another page — says "You were signed out from your phone." and shows
 * a fresh QR within seconds. A browser signed out elsewhere meanwhile is "already signed out"
 * (404) and the list refreshes; the view speaks Chinese on a zh-CN phone.
 */
import type { Page } from 'playwright-core';
import { PHONE_STRINGS } from '../../client/demo/phone/strings';
import { API, type CheckData, type SignedInBrowser } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { api, dataOf } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { bearer, confirm, gene, scan } from '../helpers/flow';
import { snap, usePages, waitForStatus } from '../helpers/pages';
import { useServer } from '../helpers/server';

const TOKEN_KEY = 'qrlogin.demo.token';
/** The website must notice the sign-out within this (it asks its backend every 3 s). */
const SIGNED_OUT_WITHIN_MS = 15_000;

const server = useServer();
const pages = usePages();

async function openSite(): Promise<Page> {
  const page = await pages.page({ viewport: { width: 1100, height: 800 } });
  await page.goto(`${server().url}/`);
  await waitForStatus(page, 'pending', 10_000);
  return page;
}

async function openPhone(nickname: string, locale = 'en-US'): Promise<{ phone: Page; token: string }> {
  const phone = await pages.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale });
  await phone.goto(`${server().url}/mobile`);
  await phone.fill('#username', `sb${Date.now()}${Math.floor(Math.random() * 1000)}`);
  await phone.fill('#password', 'correct horse battery');
  await phone.fill('#nickname', nickname);
  await phone.click('#register');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  const token = await phone.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
  if (!token) throw new Error('the phone page kept no token');
  return { phone, token };
}

/** The phone reads the website's QR off its screen and approves; the website signs in and watches its session. */
async function signInSite(site: Page, phone: Page, nickname: string): Promise<string> {
  const text = await readQrFrom(site.locator('#qrcode canvas, #qrcode img').first());
  await phone.fill('#qr-text', text);
  await phone.click('#qr-submit');
  await phone.locator('#requester').waitFor({ state: 'visible' });
  await phone.click('#approve');
  await site.locator('#user', { hasText: nickname }).waitFor();
  await site.locator('#welcome[data-session="watching"]').waitFor({ state: 'attached' });
  await phone.locator('#result', { hasText: PHONE_STRINGS.en.approved }).waitFor();
  return parseQrCode(text).random;
}

/** A login of the demo app taken by a browser without a page (the phone user's other sign-in). */
async function signInByApi(token: string): Promise<void> {
  const http = api(server().url);
  const qr = await gene(http);
  await scan(http, token, qr.random);
  await confirm(http, token, qr.random);
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  if (!check.ticket) throw new Error('no ticket');
  dataOf(await http.post(API.userinfo, { ticket: check.ticket }, { 'x-qrlogin-secret': qr.secret }));
}

async function sessionsOf(token: string): Promise<SignedInBrowser[]> {
  return dataOf(await api(server().url).get<{ sessions: SignedInBrowser[] }>(API.sessions, bearer(token))).sessions;
}

const ROW = '#sessions-list .browser-row';
const rows = (phone: Page) => phone.locator(ROW);

/** Waits until the list shows `count` rows (and no load is under way). */
async function expectRows(phone: Page, count: number): Promise<void> {
  await phone.waitForFunction(
    ([selector, n]) => document.querySelectorAll(selector).length === n && document.getElementById('sessions-loading')?.hidden === true,
    [ROW, count] as const,
  );
}

test('signing the website out from the phone: the row goes, and the website says so and shows a fresh QR', async () => {
  const site = await openSite();
  const { phone, token } = await openPhone('Sally');
  const firstRandom = await signInSite(site, phone, 'Sally');
  const [signedIn] = await sessionsOf(token);
  if (!signedIn) throw new Error('the login was not listed');

  // Back to scanning, then "Signed-in browsers".
  await phone.click('#scan-another');
  await phone.click('#open-sessions');
  await phone.locator('#sessions-view').waitFor({ state: 'visible' });
  await expectRows(phone, 1);
  const row = rows(phone).first();
  expect(await row.getAttribute('data-session-id')).toBe(signedIn.id);
  expect(await row.locator('.browser-app').textContent()).toBe('qrlogin demo');
  expect(await row.locator('.browser-name').textContent()).toMatch(/^(Chrome|Chromium) [\d.]+ on \S/);
  const meta = (await row.locator('.browser-meta').textContent()) ?? '';
  expect(meta).toContain('127.0.0.1');
  expect(meta).toMatch(/^127\.0\.0\.1 · Signed in \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}/);
  await snap(phone, 'phone-signed-in-browsers');

  const tapped = Date.now();
  await row.locator('button', { hasText: PHONE_STRINGS.en.signOutBrowser }).click();
  await phone.locator('#sessions-status', { hasText: 'is signed out of qrlogin demo.' }).waitFor();
  await expectRows(phone, 0);
  await phone.locator('#sessions-empty', { hasText: PHONE_STRINGS.en.sessionsEmpty }).waitFor();
  expect(await phone.locator('#error').isHidden()).toBe(true);
  expect(await sessionsOf(token)).toEqual([]);

  // The website, in another page, hears of it through its backend.
  await site.locator('#signed-out-notice', { hasText: 'You were signed out from your phone.' }).waitFor({ timeout: SIGNED_OUT_WITHIN_MS });
  console.info(`sign out tapped → website signed out: ${Date.now() - tapped} ms`);
  expect(await site.locator('#welcome').isHidden()).toBe(true);
  expect(await site.locator('#signin').isVisible()).toBe(true);
  await waitForStatus(site, 'pending', 10_000);
  const fresh = await readQrFrom(site.locator('#qrcode canvas, #qrcode img').first());
  expect(parseQrCode(fresh).random).not.toBe(firstRandom);
  await snap(site, 'website-signed-out-from-phone');

  // The fresh QR signs in again, and the notice goes.
  await phone.click('#sessions-back');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  await signInSite(site, phone, 'Sally');
  expect(await site.locator('#signed-out-notice').isHidden()).toBe(true);
});

test('a browser signed out elsewhere meanwhile: "already signed out", and the list refreshes', async () => {
  const { phone, token } = await openPhone('Otto');
  await signInByApi(token);
  await signInByApi(token);
  await phone.click('#open-sessions');
  await expectRows(phone, 2);
  const ids = await rows(phone).evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.sessionId));
  const listed = await sessionsOf(token);
  // Newest first, as the server lists them.
  expect(ids).toEqual(listed.map((browser) => browser.id));

  // Another phone of the same user signs the first one out.
  const gone = listed[0]?.id ?? '';
  expect((await api(server().url).delete(`${API.sessions}/${gone}`, bearer(token))).body.code).toBe(200);
  await rows(phone).first().locator('button').click();
  await phone.locator('#sessions-status', { hasText: PHONE_STRINGS.en.browserAlreadySignedOut }).waitFor();
  await expectRows(phone, 1);
  expect(await rows(phone).first().getAttribute('data-session-id')).toBe(listed[1]?.id);
  expect(await phone.locator('#error').isHidden()).toBe(true);
});

test('zh-CN: the view, its rows and its sentences are in Chinese', async () => {
  const zh = PHONE_STRINGS['zh-CN'];
  const { phone, token } = await openPhone('小明', 'zh-CN');
  expect(await phone.locator('#open-sessions').textContent()).toBe(zh.sessionsButton);
  await phone.click('#open-sessions');
  await phone.locator('#sessions-empty', { hasText: zh.sessionsEmpty }).waitFor();
  expect(await phone.locator('#sessions-title').textContent()).toBe(zh.sessionsTitle);
  expect(await phone.locator('#sessions-back').textContent()).toBe(zh.sessionsBack);

  await signInByApi(token);
  await phone.click('#sessions-back');
  await phone.click('#open-sessions');
  await expectRows(phone, 1);
  const row = rows(phone).first();
  expect(await row.locator('.browser-meta').textContent()).toMatch(/登录于 \d{4}年\d{1,2}月\d{1,2}日/);
  expect(await row.locator('button').textContent()).toBe(zh.signOutBrowser);
  await row.locator('button').click();
  await phone.locator('#sessions-status', { hasText: '已退出 qrlogin demo。' }).waitFor();
  await phone.locator('#sessions-empty', { hasText: zh.sessionsEmpty }).waitFor();
});

test('a dead token in the view: "Please sign in again" and the sign-in form', async () => {
  const { phone, token } = await openPhone('Dora');
  expect((await api(server().url).post(API.logout, {}, bearer(token))).body.code).toBe(200);
  await phone.click('#open-sessions');
  await phone.locator('#auth-notice', { hasText: PHONE_STRINGS.en.signInAgain }).waitFor();
  await phone.locator('#auth-form').waitFor({ state: 'visible' });
});
