/**
 * End-user wording in real Chromium (issue 14 §4): the phone page answers with its own
 * sentences, in en and zh-CN — an empty sign-in form is answered without a request, a new
 * account's every problem shows at once under its field, approving a QR that was denied
 * meanwhile says so in words, and a phone without a camera is told to paste the QR text —
 * and the widget words a failed load by its code, never with the server's text.
 */
import type { Page } from 'playwright-core';
import { PHONE_STRINGS } from '../../client/demo/phone/strings';
import { ERROR_REASONS, STRINGS } from '../../client/web/strings';
import { API } from '../../shared/http';
import { api } from '../helpers/api';
import { bearer, gene } from '../helpers/flow';
import { usePages, waitForStatus } from '../helpers/pages';
import { useServer } from '../helpers/server';

const TOKEN_KEY = 'qrlogin.demo.token';
const INTERNAL = /state:|Requested|undefined|null|\b\d{3,4}\b/;

const server = useServer();
const pages = usePages();

/** The phone page in `locale`, listing the sign-in requests it sends. */
async function openPhone(locale: string): Promise<{ phone: Page; sent: string[] }> {
  const phone = await pages.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale });
  const sent: string[] = [];
  phone.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path === API.login || path === API.register) sent.push(path);
  });
  await phone.goto(`${server().url}/mobile`);
  await phone.locator('#auth-form').waitFor({ state: 'visible' });
  return { phone, sent };
}

async function signUp(phone: Page): Promise<string> {
  await phone.fill('#username', `pw${Date.now()}${Math.floor(Math.random() * 1000)}`);
  await phone.fill('#password', 'correct horse battery');
  await phone.click('#register');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  return (await phone.evaluate((key) => localStorage.getItem(key), TOKEN_KEY)) ?? '';
}

const errorText = async (phone: Page) => (await phone.locator('#error').textContent()) ?? '';

test.each([
  ['en-US', PHONE_STRINGS.en],
  ['zh-CN', PHONE_STRINGS['zh-CN']],
] as const)('%s: an empty sign-in form is answered on the phone, without a request', async (locale, strings) => {
  const { phone, sent } = await openPhone(locale);
  await phone.click('#login');
  await phone.locator('#error', { hasText: strings.enterCredentials }).waitFor();
  await phone.fill('#username', 'somebody');
  await phone.click('#login');
  await phone.locator('#error', { hasText: strings.enterPassword }).waitFor();
  expect(sent).toEqual([]);
  expect(await errorText(phone)).not.toContain(locale === 'en-US' ? 'Wrong username' : '用户名或密码错误');
});

test.each([
  ['en-US', PHONE_STRINGS.en],
  ['zh-CN', PHONE_STRINGS['zh-CN']],
] as const)('%s: a new account with several bad fields shows every problem at once, per field', async (locale, strings) => {
  const { phone, sent } = await openPhone(locale);
  await phone.fill('#username', 'a!');
  await phone.fill('#password', 'short');
  await phone.click('#register');
  await phone.locator('#error', { hasText: strings.fixFields }).waitFor();
  expect(await phone.locator('#username-problem').textContent()).toBe(`${strings.usernameLength} ${strings.usernameChars}`);
  expect(await phone.locator('#password-problem').textContent()).toBe(strings.passwordLength);
  expect(await phone.locator('#nickname-problem').isHidden()).toBe(true);
  expect(await phone.locator('#username').getAttribute('aria-invalid')).toBe('true');
  expect(sent).toEqual([]);

  // Fixed, the account is made and the marks go.
  await phone.fill('#username', `fixed${Date.now()}`);
  await phone.fill('#password', 'correct horse battery');
  await phone.fill('#nickname', 'Fixed');
  await phone.click('#register');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  expect(sent).toEqual([API.register]);
});

test.each([
  ['en-US', PHONE_STRINGS.en],
  ['zh-CN', PHONE_STRINGS['zh-CN']],
] as const)('%s: approving a QR that was denied meanwhile says so in words', async (locale, strings) => {
  const { phone } = await openPhone(locale);
  const token = await signUp(phone);
  const qr = await gene(api(server().url));
  await phone.fill('#qr-text', qr.qrcode);
  await phone.click('#qr-submit');
  await phone.locator('#requester').waitFor({ state: 'visible' });
  // The same user denies it elsewhere (another device of theirs) before tapping Approve here.
  expect((await api(server().url).post(API.cancel, { random: qr.random }, bearer(token))).body.code).toBe(200);
  await phone.click('#approve');
  await phone.locator('#error', { hasText: strings.stateDenied }).waitFor();
  expect(await errorText(phone)).toBe(strings.stateDenied);
  expect(await phone.locator('#error').getAttribute('data-code')).toBe('2243');
  expect(await errorText(phone)).not.toMatch(INTERNAL);
});

test('a phone without a camera is told so, and to paste the QR text, not "Requested device not found"', async () => {
  // This Chromium has no fake devices: getUserMedia fails with NotFoundError.
  const { phone } = await openPhone('en-US');
  await phone.context().grantPermissions(['camera'], { origin: server().url });
  await signUp(phone);
  await phone.click('#scan-camera');
  await phone.locator('#error', { hasText: PHONE_STRINGS.en.cameraNotFound }).waitFor();
  expect(await errorText(phone)).toBe(PHONE_STRINGS.en.cameraNotFound);
  expect(await phone.locator('#camera').isHidden()).toBe(true);
  expect(await phone.locator('#scan-camera').isVisible()).toBe(true);
});

test('the widget words a failed load by its code: no server text', async () => {
  const page = await pages.page();
  await page.route(`${server().url}${API.gene}`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ code: 500, message: 'Internal error: at x.ts:12', data: null }),
    }),
  );
  await page.goto(`${server().url}/`);
  await waitForStatus(page, 'error', 10_000);
  const text = (await page.locator('#qrcode .qrlogin-status').textContent()) ?? '';
  expect(text).toBe(`${STRINGS.en.error}: ${ERROR_REASONS.en.server}`);
});
