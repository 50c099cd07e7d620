/**
 * qrlogin's OpenID Connect login page in real Chromium, beyond the plain sign-in of
 * oidc-login.test.ts (same helpers: an openid-client RP, the QR read from the pixels, the phone
 * approving through @qrlogin/mobile):
 * - number matching: the page shows the 2-digit code, the phone must pick it among three; a
 *   wrong pick cancels the QR, which the page treats as a denial (`access_denied` to the RP);
 * - expiry: an expired QR is replaced on the same page by a fresh one, which signs in;
 * - RP-initiated logout: the end-session URL, the provider's confirmation, back to the
 *   registered post-logout URI with the RP's `state`, and the provider session is over
 *   (`prompt=none` gets `login_required`).
 */
import type { Page } from 'playwright-core';
import * as client from 'openid-client';
import { QrLoginMobileClient, type QrPayload, parseQrCode } from '@qrlogin/mobile';
import { readQrFrom } from '../helpers/browser';
import { type RelyingParty, startRelyingParty } from '../helpers/oidc-rp';
import { snap, usePages } from '../helpers/pages';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const SECRET = 'oidc-page-secret-0123456789abcdef';
const QR_TTL = 10; // seconds, the shortest an app may have

let qrlogin: TestServer;
let matching: RelyingParty;
let quick: RelyingParty;
let shop: RelyingParty;

beforeAll(async () => {
  const [matchingPort, quickPort, shopPort] = [await freePort(), await freePort(), await freePort()];
  const app = (id: string, port: number, extra: object) => ({
    id,
    name: `Example ${id}`,
    secret: SECRET,
    origins: [],
    redirectUris: [`http://127.0.0.1:${port}/callback`],
    ...extra,
  });
  const apps = [
    app('matching', matchingPort, { numberMatching: true }),
    app('quick', quickPort, { qrTtl: QR_TTL }),
    app('shop', shopPort, { postLogoutRedirectUris: [`http://127.0.0.1:${shopPort}/bye`] }),
  ];
  qrlogin = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
  const rp = (clientId: string, port: number) => startRelyingParty({ issuer: qrlogin.config.issuer, clientId, secret: SECRET, port });
  [matching, quick, shop] = await Promise.all([rp('matching', matchingPort), rp('quick', quickPort), rp('shop', shopPort)]);
});
afterAll(async () => {
  await Promise.all([matching, quick, shop].map((rp) => rp?.close()));
  await qrlogin?.close();
});

/** The browser follows `url` to qrlogin's QR page, where the QR is pending. */
async function openLogin(url: URL, page?: Page): Promise<Page> {
  const at = page ?? (await pages.page());
  await at.goto(url.href);
  await at.locator('#qr[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 10_000 });
  return at;
}

async function phoneFor(nickname: string): Promise<QrLoginMobileClient> {
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  await phone.register({ username: `page_${Math.random().toString(36).slice(2, 10)}`, password: 'correct horse battery', nickname });
  return phone;
}

const qrOf = async (page: Page): Promise<QrPayload> => parseQrCode(await readQrFrom(page.locator('#qr')));

/** What the RP's callback shows once the browser lands there. */
async function landed(page: Page, rp: RelyingParty): Promise<string> {
  await page.waitForURL(`${rp.redirectUri}?**`, { timeout: 10_000 });
  return (await page.locator('body').textContent()) ?? '';
}

const claimsOf = (body: string): Record<string, unknown> => {
  expect(body.startsWith('claims: ')).toBe(true);
  return JSON.parse(body.slice('claims: '.length)) as Record<string, unknown>;
};

describe('number matching', () => {
  test('the page shows the code, the phone picks it among three, and the RP gets its ID token', async () => {
    const page = await openLogin(await matching.authorizationUrl());
    const code = (await page.locator('#qr').getAttribute('data-qrlogin-match')) ?? '';
    expect(code).toMatch(/^\d{2}$/);
    await page.locator('#qr .qrlogin-match', { hasText: code }).waitFor();
    await snap(page, 'oidc-number-matching');
    const qr = await qrOf(page);
    const phone = await phoneFor('Mia');
    const scanned = await phone.scanned(qr);
    expect(scanned.matchChoices).toHaveLength(3);
    expect(scanned.matchChoices).toContain(code);
    await phone.confirm({ random: qr.random, matchCode: code });
    expect(claimsOf(await landed(page, matching))).toMatchObject({ aud: 'matching', sub: (await phone.me()).id, amr: ['qr'] });
  });

  test('a wrong pick cancels the QR: the page gives up like a denial, access_denied back to the RP', async () => {
    const page = await openLogin(await matching.authorizationUrl());
    const code = await page.locator('#qr').getAttribute('data-qrlogin-match');
    const qr = await qrOf(page);
    const phone = await phoneFor('Wes');
    const { matchChoices = [] } = await phone.scanned(qr);
    const wrong = matchChoices.find((choice) => choice !== code) ?? '';
    await expect(phone.confirm({ random: qr.random, matchCode: wrong })).rejects.toMatchObject({ code: 2243, reason: 'wrong_match' });
    expect(await landed(page, matching)).toBe('error: access_denied');
    // The right number after a wrong one signs nobody in: the QR is gone.
    await expect(phone.confirm({ random: qr.random, matchCode: code ?? '' })).rejects.toMatchObject({ code: 2243 });
  });
});

/** Reads the page's QR until it is another than `random` (the page replaced it), or fails at `timeoutMs`. */
async function nextQr(page: Page, random: string, timeoutMs: number): Promise<QrPayload> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = await qrOf(page).catch(() => null); // between two QRs there may be none to read
    if (shown && shown.random !== random) return shown;
    if (Date.now() > deadline) throw new Error(`no new QR within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
}

test(`an expired QR (qrTtl ${QR_TTL} s) is replaced on the same page by a fresh one, which signs in`, async () => {
  const page = await openLogin(await quick.authorizationUrl());
  const loginUrl = page.url();
  const first = await qrOf(page);
  const fresh = await nextQr(page, first.random, (QR_TTL + 10) * 1000);
  expect(fresh.customData.oidcInteraction).toBe(first.customData.oidcInteraction);
  expect(page.url()).toBe(loginUrl);
  await page.locator('#qr[data-qrlogin-status="pending"]').waitFor({ state: 'attached' });
  expect(await page.locator('#problem').isHidden()).toBe(true);
  const phone = await phoneFor('Quinn');
  // The expired QR is no use to the phone any more.
  await expect(phone.scanned(first)).rejects.toMatchObject({ code: expect.any(Number) });
  await phone.scanned(fresh);
  await phone.confirm(fresh);
  expect(claimsOf(await landed(page, quick))).toMatchObject({ aud: 'quick', sub: (await phone.me()).id });
}, 60_000);

test('RP-initiated logout: the confirmation, back to the post-logout URI with state, and the provider session is over', async () => {
  // Signed in by QR; the RP's own code exchange, to hold the ID token the logout names.
  const verifier = client.randomPKCECodeVerifier();
  const [state, nonce] = [client.randomState(), client.randomNonce()];
  const authorization = client.buildAuthorizationUrl(shop.config, {
    redirect_uri: shop.redirectUri,
    scope: 'openid profile', // what shop.authorizationUrl asks below, so prompt=none needs no new consent
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const page = await openLogin(authorization);
  const phone = await phoneFor('Logan');
  const qr = await qrOf(page);
  await phone.scanned(qr);
  await phone.confirm(qr);
  await page.waitForURL(`${shop.redirectUri}?**`, { timeout: 10_000 });
  const tokens = await client.authorizationCodeGrant(shop.config, new URL(page.url()), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const idToken = tokens.id_token ?? '';
  const sub = (await phone.me()).id;
  expect(tokens.claims()).toMatchObject({ aud: 'shop', sub });

  // Signed in in this browser: prompt=none goes straight back with a code, no QR page.
  await page.goto((await shop.authorizationUrl({ prompt: 'none' })).href);
  expect(claimsOf(await landed(page, shop))).toMatchObject({ sub });

  const logoutState = client.randomState();
  const postLogout = `${shop.url}/bye`;
  const endSession = client.buildEndSessionUrl(shop.config, {
    id_token_hint: idToken,
    post_logout_redirect_uri: postLogout,
    state: logoutState,
  });
  await page.goto(endSession.href);
  // oidc-provider asks before it signs the browser out.
  const yes = page.locator('button[name="logout"][value="yes"]');
  await yes.waitFor({ timeout: 10_000 });
  await snap(page, 'oidc-logout-confirm');
  await yes.click();
  await page.waitForURL(`${postLogout}?**`, { timeout: 10_000 });
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ state: logoutState });

  // The provider session ended: prompt=none now gets login_required.
  await page.goto((await shop.authorizationUrl({ prompt: 'none' })).href);
  expect(await landed(page, shop)).toBe('error: login_required');
}, 60_000);
