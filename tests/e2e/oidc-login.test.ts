/**
 * A standard OpenID Connect relying party signs in by QR (issue 15): openid-client discovers
 * qrlogin, builds an authorization URL with PKCE and a nonce; Chromium follows it to qrlogin's
 * QR page, the QR is read from the pixels, the phone (@qrlogin/mobile) approves, the browser
 * lands on the RP's callback, and openid-client exchanges the code and validates the ID token.
 * The phone denying sends `access_denied` back; and the same runs across two
 * instances on Redis (the page on one, the token endpoint on the other).
 */
import type { Page } from 'playwright-core';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { readQrFrom } from '../helpers/browser';
import { CLUSTER_ISSUER, type Cluster, startCluster } from '../helpers/cluster';
import { type RelyingParty, startRelyingParty } from '../helpers/oidc-rp';
import { snap, usePages } from '../helpers/pages';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const SECRET = 'shop-oidc-secret-0123456789abcdef';
const shop = (rpUrl: string) => ({ id: 'shop', name: 'Example Shop', secret: SECRET, origins: [], redirectUris: [`${rpUrl}/callback`] });

/** The browser follows `url` to qrlogin's QR page, where the QR is pending. */
async function openLogin(url: URL): Promise<Page> {
  const page = await pages.page();
  await page.goto(url.href);
  await page.locator('#qr[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 10_000 });
  return page;
}

async function phoneFor(host: string, nickname: string): Promise<QrLoginMobileClient> {
  const phone = new QrLoginMobileClient({ host });
  await phone.register({ username: `oidc_${Math.random().toString(36).slice(2, 10)}`, password: 'correct horse battery', nickname });
  return phone;
}

/** The phone reads the page's QR and approves; resolves with what the RP's callback shows. */
async function approve(page: Page, rp: RelyingParty, phone: QrLoginMobileClient): Promise<string> {
  const qr = parseQrCode(await readQrFrom(page.locator('#qr')));
  // The page made this QR for this authorization request.
  expect(qr.customData.oidcInteraction).toEqual(expect.stringMatching(/^[\w-]{20,}$/));
  await phone.scanned(qr);
  await phone.confirm(qr);
  await page.waitForURL(`${rp.redirectUri}?**`, { timeout: 10_000 });
  return (await page.locator('body').textContent()) ?? '';
}

const claimsOf = (body: string): Record<string, unknown> => {
  expect(body.startsWith('claims: ')).toBe(true);
  return JSON.parse(body.slice('claims: '.length)) as Record<string, unknown>;
};

describe('one instance', () => {
  let qrlogin: TestServer;
  let rp: RelyingParty;
  beforeAll(async () => {
    const port = await freePort();
    qrlogin = await startServer({ env: { APPS: JSON.stringify({ apps: [shop(`http://127.0.0.1:${port}`)] }) } });
    rp = await startRelyingParty({ issuer: qrlogin.config.issuer, clientId: 'shop', secret: SECRET, port });
  });
  afterAll(async () => {
    await rp?.close();
    await qrlogin?.close();
  });

  test('openid-client signs in by QR: an ID token for the user, amr qr, sid, auth_time; and the QR was made for this request', async () => {
    const page = await openLogin(await rp.authorizationUrl());
    expect(await page.locator('#title').textContent()).toBe('Sign in to Example Shop');
    await snap(page, 'oidc-login-page');
    const phone = await phoneFor(qrlogin.url, 'Olive');
    const claims = claimsOf(await approve(page, rp, phone));
    const me = await phone.me();
    expect(claims).toMatchObject({ iss: qrlogin.config.issuer, aud: 'shop', sub: me.id, amr: ['qr'], nickname: 'Olive' });
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.auth_time).toEqual(expect.any(Number));
  });

  test('the phone denies: access_denied back to the relying party', async () => {
    const page = await openLogin(await rp.authorizationUrl());
    const qr = parseQrCode(await readQrFrom(page.locator('#qr')));
    const phone = await phoneFor(qrlogin.url, 'Dennis');
    await phone.scanned(qr);
    await phone.cancel(qr);
    await page.waitForURL(`${rp.redirectUri}?**`, { timeout: 10_000 });
    expect(await page.locator('body').textContent()).toBe('error: access_denied');
  });

  test('prompt=none without a sign-in in this browser: login_required, no QR page', async () => {
    const page = await pages.page();
    await page.goto((await rp.authorizationUrl({ prompt: 'none' })).href);
    await page.waitForURL(`${rp.redirectUri}?**`, { timeout: 10_000 });
    expect(await page.locator('body').textContent()).toBe('error: login_required');
  });
});

describe('two instances on Redis', () => {
  let cluster: Cluster;
  let rp: RelyingParty;
  beforeAll(async () => {
    const port = await freePort();
    cluster = await startCluster(2, { env: { APPS: JSON.stringify({ apps: [shop(`http://127.0.0.1:${port}`)] }) } });
    const [a, b] = [cluster.at(0), cluster.at(1)];
    // The browser goes to instance A (the issuer's address is A's); the RP's own requests
    // (discovery, token) go to instance B.
    rp = await startRelyingParty({
      issuer: CLUSTER_ISSUER,
      clientId: 'shop',
      secret: SECRET,
      port,
      rewrite: (url) => new URL(`${url.pathname}${url.search}`, b.url),
      browserBase: a.url,
    });
  });
  afterAll(async () => {
    await rp?.close();
    await cluster?.close();
  });

  test('the QR page on one instance, the code exchanged on the other', async () => {
    const page = await openLogin(await rp.authorizationUrl());
    const claims = claimsOf(await approve(page, rp, await phoneFor(cluster.at(0).url, 'Clara')));
    expect(claims).toMatchObject({ iss: CLUSTER_ISSUER, aud: 'shop', amr: ['qr'], nickname: 'Clara' });
  });
});
