/**
 * The demo pages as people use them, in real Chromium: the website at `/` (web SDK) shows a
 * QR; the phone page at `/mobile` (mobile SDK) registers a user, reads the QR text, shows who
 * is asking, and approves or denies; the website reacts over Socket.IO.
 */
import type { Page } from 'playwright-core';
import { PHONE_STRINGS } from '../../client/demo/phone/strings';
import { API } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import { bearer, gene } from '../helpers/flow';
import { snap, usePages, waitForStatus } from '../helpers/pages';
import { startServer, useServer } from '../helpers/server';

const server = useServer();
const pages = usePages();

const status = (page: Page) => page.locator('#qrcode').getAttribute('data-qrlogin-status');

async function openSite(url = server().url): Promise<Page> {
  const page = await pages.page({ viewport: { width: 1100, height: 800 } });
  await page.goto(`${url}/`);
  await waitForStatus(page, 'pending', 10_000);
  return page;
}

async function openPhone(nickname: string, url = server().url): Promise<Page> {
  const phone = await pages.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(`${url}/mobile`);
  await phone.fill('#username', `phone${Date.now()}${Math.floor(Math.random() * 1000)}`);
  await phone.fill('#password', 'correct horse battery');
  await phone.fill('#nickname', nickname);
  await phone.click('#register');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  return phone;
}

/** The phone reads the QR off the website's screen and submits it. */
async function scanSiteWithPhone(site: Page, phone: Page): Promise<string> {
  const text = await readQrFrom(site.locator('#qrcode canvas, #qrcode img').first());
  expect(parseQrCode(text).appId).toBe('demo');
  await phone.fill('#qr-text', text);
  await phone.click('#qr-submit');
  await phone.locator('#requester').waitFor({ state: 'visible' });
  return text;
}

test('the website and the phone page complete a login together', async () => {
  const site = await openSite();
  await snap(site, 'widget-pending');
  const phone = await openPhone('Zoë');
  await snap(phone, 'phone-scan');
  const text = await scanSiteWithPhone(site, phone);
  await snap(phone, 'phone-confirm');

  // The phone shows who is asking before the user approves.
  await expect(phone.locator('#req-app').textContent()).resolves.toBe('qrlogin demo');
  await expect(phone.locator('#req-origin').textContent()).resolves.toBe(server().url);
  await expect(phone.locator('#req-browser').textContent()).resolves.toMatch(/Chrom/);
  await expect(phone.locator('#warning').textContent()).resolves.toContain(`Only approve if you are signing in to ${server().url}`);
  await waitForStatus(site, 'scanned');
  await snap(site, 'widget-scanned');

  const approvedAt = Date.now();
  await phone.click('#approve');
  await waitForStatus(site, 'confirmed');
  await site.locator('#user', { hasText: 'Zoë' }).waitFor();
  console.info(`approve click → website confirmed: ${Date.now() - approvedAt} ms`);
  await phone.locator('#result', { hasText: 'Approved' }).waitFor();
  await snap(site, 'website-signed-in');
  await snap(phone, 'phone-result');
  expect(await site.locator('#claims').textContent()).toContain('"amr"');

  // The same QR cannot be used twice.
  await phone.click('#scan-another');
  await phone.fill('#qr-text', text);
  await phone.click('#qr-submit');
  await phone.locator('#error', { hasText: PHONE_STRINGS.en.stateApproved }).waitFor();
});

test('the demo at / stays on the demo app when the configuration makes another app the default', async () => {
  const shop = { id: 'shop', name: 'Shop', secret: 'shop-secret-0123456789', origins: ['https://shop.example'] };
  const withDefault = await startServer({ env: { APPS: JSON.stringify({ apps: [shop], defaultApp: 'shop' }) } });
  try {
    expect(withDefault.config.defaultAppId).toBe('shop');
    const site = await openSite(withDefault.url);
    const phone = await openPhone('Default Dora', withDefault.url);
    await scanSiteWithPhone(site, phone);
    await expect(phone.locator('#req-app').textContent()).resolves.toBe('qrlogin demo');
    await phone.click('#approve');
    await site.locator('#user', { hasText: 'Default Dora' }).waitFor();
  } finally {
    await withDefault.close();
  }
});

test('denying on the phone cancels the website’s QR, and its refresh button gives a new QR that works', async () => {
  const site = await openSite();
  const phone = await openPhone('Bob');
  const firstText = await scanSiteWithPhone(site, phone);
  await phone.click('#deny');
  await waitForStatus(site, 'cancelled');
  await snap(site, 'widget-cancelled');
  await phone.locator('#result', { hasText: 'Denied' }).waitFor();

  await site.locator('#qrcode button').click();
  await waitForStatus(site, 'pending');
  await phone.click('#scan-another');
  const secondText = await scanSiteWithPhone(site, phone);
  expect(parseQrCode(secondText).random).not.toBe(parseQrCode(firstText).random);
  await phone.click('#approve');
  await site.locator('#user', { hasText: 'Bob' }).waitFor();
  expect(await status(site)).toBe('confirmed');
});

test('number matching: the website shows a code, the phone offers three; a wrong pick is refused, the right one signs in', async () => {
  const apps = [
    {
      id: 'demo',
      name: 'Matching demo',
      secret: 'matching-demo-secret-0123',
      origins: ['http://127.0.0.1:*'],
      allowBrowserExchange: true,
      numberMatching: true,
    },
  ];
  const matching = await startServer({ env: { APPS: JSON.stringify(apps) } });
  try {
    const site = await openSite(matching.url);
    const code = await site.locator('#qrcode').getAttribute('data-qrlogin-match');
    expect(code).toMatch(/^\d{2}$/);
    await site.locator('#qrcode .qrlogin-match', { hasText: `pick ${code} on your phone` }).waitFor();

    const phone = await openPhone('Matcher', matching.url);
    await scanSiteWithPhone(site, phone);
    await snap(site, 'widget-number-matching');
    await snap(phone, 'phone-number-matching');
    const choices = await phone.locator('#match-choices button').allTextContents();
    expect(choices).toHaveLength(3);
    expect(choices).toContain(code);
    expect(await phone.locator('#approve').isHidden()).toBe(true);

    // A wrong pick cancels the website's QR; its refresh gives a new code and a new QR.
    const wrong = choices.find((choice) => choice !== code) ?? '';
    await phone.locator(`#match-choices button[data-choice="${wrong}"]`).click();
    await phone.locator('#error', { hasText: PHONE_STRINGS.en.stateWrongNumber }).waitFor();
    await waitForStatus(site, 'cancelled');
    await site.locator('#qrcode .qrlogin-action').click();
    await waitForStatus(site, 'pending');
    const fresh = await site.locator('#qrcode').getAttribute('data-qrlogin-match');
    expect(fresh).toMatch(/^\d{2}$/);

    await phone.goto(`${matching.url}/mobile`);
    await phone.locator('#scan-view').waitFor({ state: 'visible' });
    await scanSiteWithPhone(site, phone);
    await phone.locator(`#match-choices button[data-choice="${fresh}"]`).click();
    await waitForStatus(site, 'confirmed');
    await site.locator('#user', { hasText: 'Matcher' }).waitFor();
  } finally {
    await matching.close();
  }
});

test('"Log out" on the phone page revokes its token on the server; without a network it still signs out', async () => {
  const phone = await openPhone('Leaving');
  const token = await phone.evaluate(() => localStorage.getItem('qrlogin.demo.token'));
  if (!token) throw new Error('the phone page kept no token');
  const loggedOut = phone.waitForResponse((response) => response.url().endsWith(API.logout));
  await phone.click('#logout');
  expect(await (await loggedOut).json()).toMatchObject({ code: 200 });
  await phone.locator('#auth-view').waitFor({ state: 'visible' });
  expect(await phone.evaluate(() => localStorage.getItem('qrlogin.demo.token'))).toBeNull();
  // The token the page had stored is refused by the server now.
  const refused = await api(server().url).post(API.scanned, { random: (await gene(api(server().url))).random }, bearer(token));
  expect(refused.body.code).toBe(2020);

  // Best effort: the logout request fails, the page signs out all the same.
  const offline = await openPhone('Offline');
  await offline.route(`**${API.logout}`, (route) => route.abort('internetdisconnected'));
  await offline.click('#logout');
  await offline.locator('#auth-view').waitFor({ state: 'visible' });
  expect(await offline.evaluate(() => localStorage.getItem('qrlogin.demo.token'))).toBeNull();
  await expect(offline.locator('#error').isHidden()).resolves.toBe(true);
});
