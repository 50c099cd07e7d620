/**
 * The demo phone page (`/mobile`) with a token that died, in real Chromium: at load it checks
 * its remembered token (`GET /api/v2/me`) before the user can scan, and a revoked one brings
 * the sign-in form with "Please sign in again" (in zh-CN "请重新登录"); a live one goes straight to
 * scanning; no answer or a 503 at load keeps the token. A token that dies later says the same
 * on the next scan; a server whose accounts are off (2028) says so and offers no registration.
 * The 503 and the 2028 come from real servers configured that way, not from faked answers.
 */
import type { Page } from 'playwright-core';
import { API } from '../../shared/http';
import { ERRORS } from '../../shared/errors';
import { PHONE_STRINGS } from '../../client/demo/phone/strings';
import { api } from '../helpers/api';
import { bearer, gene } from '../helpers/flow';
import { usePages } from '../helpers/pages';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer, useServer } from '../helpers/server';

const TOKEN_KEY = 'qrlogin.demo.token';

const server = useServer();
const pages = usePages();

/** A phone page in `locale` served by `at`, listing the `/api/v2/me` calls it makes. */
async function openPhone(locale = 'en-US', at: TestServer = server()): Promise<{ phone: Page; meCalls: string[] }> {
  const phone = await pages.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale });
  const meCalls: string[] = [];
  phone.on('request', (request) => {
    if (new URL(request.url()).pathname === API.me) meCalls.push(request.headers().authorization ?? '');
  });
  await phone.goto(`${at.url}/mobile`);
  return { phone, meCalls };
}

/** Registers on the page's form; resolves on the scan screen with the token it remembers. */
async function register(phone: Page, nickname: string): Promise<string> {
  await phone.fill('#username', `ps${Date.now()}${Math.floor(Math.random() * 1000)}`);
  await phone.fill('#password', 'correct horse battery');
  await phone.fill('#nickname', nickname);
  await phone.click('#register');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  const token = await storedToken(phone);
  if (!token) throw new Error('the page did not remember a token');
  return token;
}

const storedToken = (phone: Page) => phone.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);

/** Runs `body` against a server of its own built from `env`, closed afterwards. */
async function withServer(env: Record<string, string>, body: (other: TestServer) => Promise<void>): Promise<void> {
  const other = await startServer({ env });
  try {
    await body(other);
  } finally {
    await other.close();
  }
}

/** Revokes `token` on the server, as a logout from elsewhere would. */
async function revoke(token: string): Promise<void> {
  const response = await fetch(`${server().url}${API.logout}`, { method: 'POST', headers: bearer(token) });
  expect(await response.json()).toMatchObject({ code: 200 });
}

/** The sign-in form, with `sentence` above it and nothing in the error box. */
async function expectSignInAgain(phone: Page, sentence: string): Promise<void> {
  await phone.locator('#auth-notice', { hasText: sentence }).waitFor({ state: 'visible' });
  await phone.locator('#auth-form').waitFor({ state: 'visible' });
  expect(await phone.locator('#scan-view').isHidden()).toBe(true);
  expect(await phone.locator('#whoami').isHidden()).toBe(true);
  expect(await phone.locator('#error').isHidden()).toBe(true);
  expect(await storedToken(phone)).toBeNull();
}

test('a token revoked server-side: the reload shows "Please sign in again" and the form, before any scan', async () => {
  const { phone, meCalls } = await openPhone();
  const token = await register(phone, 'Revoked Rita');
  await revoke(token);

  await phone.reload();
  await expectSignInAgain(phone, 'Please sign in again');
  expect(meCalls).toEqual([`Bearer ${token}`]);
  expect(await phone.locator('#auth-notice').textContent()).toBe('Please sign in again');

  // Signing in again clears the notice and goes on to scanning.
  await register(phone, 'Rita Again');
  expect(await phone.locator('#auth-notice').isHidden()).toBe(true);
  expect(await phone.locator('#whoami').textContent()).toBe('Rita Again');
});

test('the same in zh-CN: the page speaks Chinese and says "请重新登录"', async () => {
  const { phone } = await openPhone('zh-CN');
  expect(await phone.locator('html').getAttribute('lang')).toBe('zh-CN');
  expect(await phone.locator('#login').textContent()).toBe('登录');
  const token = await register(phone, '小明');
  await revoke(token);

  await phone.reload();
  await expectSignInAgain(phone, '请重新登录');
  expect(await phone.locator('#auth-title').textContent()).toBe('登录 Acme 应用');

  // The page's sentences for the server's answers come in Chinese too.
  await phone.fill('#username', 'nobody-here');
  await phone.fill('#password', 'wrong password');
  await phone.click('#login');
  await phone.locator('#error', { hasText: PHONE_STRINGS['zh-CN'].errWrongCredentials }).waitFor();
});

test('?lang=zh-CN in the address wins over the browser language', async () => {
  const phone = await pages.page({ locale: 'en-US' });
  await phone.goto(`${server().url}/mobile?lang=zh-CN`);
  await phone.locator('#auth-title', { hasText: '登录 Acme 应用' }).waitFor();
  expect(await phone.title()).toBe('Acme 应用 — 扫码登录');
});

test('a live token reloads straight to the scan screen, with the user from the server', async () => {
  const { phone, meCalls } = await openPhone();
  const token = await register(phone, 'Live Lou');
  await phone.reload();
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  expect(await phone.locator('#auth-view').isHidden()).toBe(true);
  expect(await phone.locator('#whoami').textContent()).toBe('Live Lou');
  expect(await storedToken(phone)).toBe(token);
  expect(meCalls).toEqual([`Bearer ${token}`]);
});

test('no answer from /api/v2/me at load keeps the token and goes on to scanning', async () => {
  const { phone } = await openPhone();
  const token = await register(phone, 'Offline Olga');

  await phone.route(`**${API.me}`, (route) => route.abort('internetdisconnected'));
  await phone.reload();
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  expect(await storedToken(phone)).toBe(token);
  expect(await phone.locator('#auth-notice').isHidden()).toBe(true);
  expect(await phone.locator('#error').isHidden()).toBe(true);
});

test('a 503 from /api/v2/me at load (the identity provider unreachable) keeps the token and goes on to scanning', async () => {
  // Opaque tokens are asked about at an introspection endpoint where nothing listens.
  const env = {
    USER_TOKEN_INTROSPECTION_URL: `http://127.0.0.1:${await freePort()}/introspect`,
    USER_TOKEN_INTROSPECTION_CLIENT_ID: 'qrlogin-test',
    USER_TOKEN_INTROSPECTION_CLIENT_SECRET: 'introspection-secret',
  };
  await withServer(env, async (unreachable) => {
    const token = 'opaque-token-of-the-company';
    const direct = await fetch(`${unreachable.url}${API.me}`, { headers: bearer(token) });
    expect(direct.status).toBe(200);
    expect(await direct.json()).toMatchObject({ code: 503, message: ERRORS.UNAVAILABLE.en, data: null });

    const { phone, meCalls } = await openPhone('en-US', unreachable);
    await phone.locator('#auth-form').waitFor({ state: 'visible' });
    await phone.evaluate(([key, value]) => localStorage.setItem(key, value), [TOKEN_KEY, token] as const);
    const answer = phone.waitForResponse((response) => new URL(response.url()).pathname === API.me);
    await phone.reload();
    const response = await answer;
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ code: 503 });

    await phone.locator('#scan-view').waitFor({ state: 'visible' });
    expect(meCalls).toEqual([`Bearer ${token}`]);
    expect(await storedToken(phone)).toBe(token);
    expect(await phone.locator('#auth-view').isHidden()).toBe(true);
    expect(await phone.locator('#auth-notice').isHidden()).toBe(true);
    expect(await phone.locator('#error').isHidden()).toBe(true);
    expect(await phone.locator('body').textContent()).not.toContain('Please sign in again');
  });
});

test('a token that dies after load: the next scan brings the same "Please sign in again" screen', async () => {
  const { phone } = await openPhone();
  const token = await register(phone, 'Later Lee');
  await revoke(token);

  const qr = await gene(api(server().url));
  await phone.fill('#qr-text', qr.qrcode);
  await phone.click('#qr-submit');
  await expectSignInAgain(phone, 'Please sign in again');
});

/** Clicks `button` and checks the server really answered `path` with 2028 and `sentence`. */
async function expectAnswer(phone: Page, path: string, button: string, sentence: string): Promise<void> {
  const answer = phone.waitForResponse((response) => new URL(response.url()).pathname === path);
  await phone.click(button);
  const response = await answer;
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ code: 2028, message: sentence, data: null });
}

test('a server whose accounts are off (2028): the page says so in its own words, and registration is not offered', async () => {
  const env = { BUILTIN_USERS: 'false', USER_TOKEN_ISSUER: 'https://idp.example.test', USER_TOKEN_AUDIENCE: 'api' };
  await withServer(env, async (accountsOff) => {
    for (const [locale, answer, sentence] of [
      ['en-US', ERRORS.BUILTIN_USERS_DISABLED.en, PHONE_STRINGS.en.errAccountsOff],
      ['zh-CN', ERRORS.BUILTIN_USERS_DISABLED.zh, PHONE_STRINGS['zh-CN'].errAccountsOff],
    ] as const) {
      const { phone } = await openPhone(locale, accountsOff);
      await phone.fill('#username', 'somebody');
      await phone.fill('#password', 'correct horse battery');
      await expectAnswer(phone, API.register, '#register', answer);
      await phone.locator('#error', { hasText: sentence }).waitFor();
      expect(await phone.locator('#error').textContent()).toBe(sentence);
      expect(await phone.locator('#error').getAttribute('data-code')).toBe('2028');
      await phone.locator('#register').waitFor({ state: 'hidden' });
      expect(await phone.locator('#nickname').isHidden()).toBe(true);
      expect(await phone.locator('#scan-view').isHidden()).toBe(true);
      expect(await storedToken(phone)).toBeNull();

      // Signing in gets the same answer from the server.
      await expectAnswer(phone, API.login, '#login', answer);
      await phone.locator('#error', { hasText: sentence }).waitFor();
      expect(await phone.locator('#error').textContent()).toBe(sentence);
      expect(await phone.locator('#auth-view').isVisible()).toBe(true);
      expect(await storedToken(phone)).toBeNull();
    }
  });
});
