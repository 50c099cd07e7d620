/**
 * A standard OpenID Connect relying party signs in by QR (issue 15): openid-client discovers
 * qrlogin, builds an authorization URL with PKCE and a nonce; Chromium follows it to qrlogin's
 * QR page, the QR is read from the pixels, the phone (@qrlogin/mobile) approves, the browser
 * lands on the RP's callback, and openid-client exchanges the code and validates the ID token.
 * The phone denying sends `access_denied` back to the RP.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { readQrFrom } from '../helpers/browser';
import { snap, usePages } from '../helpers/pages';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
const SECRET = 'shop-oidc-secret-0123456789abcdef';
let qrlogin: TestServer;
let rp: Server;
let rpUrl = '';
let config: client.Configuration;
/** What the RP's callback saw last: the claims of a validated ID token, or the error. */
const checks = new Map<string, { verifier: string; nonce: string }>();

async function handleCallback(url: URL): Promise<string> {
  const state = url.searchParams.get('state') ?? '';
  const check = checks.get(state);
  if (!check) return 'unknown state';
  checks.delete(state);
  if (url.searchParams.get('error')) return `error: ${url.searchParams.get('error')}`;
  const tokens = await client.authorizationCodeGrant(config, url, {
    pkceCodeVerifier: check.verifier,
    expectedState: state,
    expectedNonce: check.nonce,
  });
  return `claims: ${JSON.stringify(tokens.claims())}`;
}

beforeAll(async () => {
  const port = await freePort();
  rpUrl = `http://127.0.0.1:${port}`;
  rp = createServer((req, res) => {
    handleCallback(new URL(req.url ?? '/', rpUrl)).then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`failed: ${String(error)}`),
    );
  });
  rp.listen(port, '127.0.0.1');
  await once(rp, 'listening');
  const apps = [{ id: 'shop', name: 'Example Shop', secret: SECRET, origins: [], redirectUris: [`${rpUrl}/callback`] }];
  qrlogin = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
  config = await client.discovery(new URL(qrlogin.config.issuer), 'shop', SECRET, undefined, { execute: [client.allowInsecureRequests] });
});

afterAll(async () => {
  await qrlogin?.close();
  await new Promise<void>((resolve) => rp.close(() => resolve()));
});

/** A fresh authorization request, opened in Chromium up to qrlogin's QR page. */
async function openLogin(): Promise<Page> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  checks.set(state, { verifier, nonce });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${rpUrl}/callback`,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const page = await pages.page();
  await page.goto(url.href);
  await page.locator('qr-login[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 10_000 });
  return page;
}

async function phoneFor(nickname: string): Promise<QrLoginMobileClient> {
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  await phone.register({ username: `oidc_${Math.random().toString(36).slice(2, 10)}`, password: 'correct horse battery', nickname });
  return phone;
}

test('openid-client signs in by QR: code with PKCE, an ID token with the user, amr qr, nonce and sid', async () => {
  const page = await openLogin();
  expect(await page.locator('#title').textContent()).toBe('Sign in to Example Shop');
  await snap(page, 'oidc-login-page');
  const qr = parseQrCode(await readQrFrom(page.locator('qr-login')));
  expect(qr.appId).toBe('shop');
  const phone = await phoneFor('Olive');
  const scanned = await phone.scanned(qr);
  expect(scanned.app).toEqual({ id: 'shop', name: 'Example Shop' });
  await phone.confirm(qr);
  await page.waitForURL(`${rpUrl}/callback?**`, { timeout: 10_000 });
  const body = (await page.locator('body').textContent()) ?? '';
  expect(body.startsWith('claims: ')).toBe(true);
  const claims = JSON.parse(body.slice('claims: '.length)) as Record<string, unknown>;
  const me = await phone.me();
  expect(claims).toMatchObject({ iss: qrlogin.config.issuer, aud: 'shop', sub: me.id, amr: ['qr'] });
  expect(claims.sid).toEqual(expect.any(String));
  expect(claims.auth_time).toEqual(expect.any(Number));
});

test('the phone denies: access_denied back to the relying party', async () => {
  const page = await openLogin();
  const qr = parseQrCode(await readQrFrom(page.locator('qr-login')));
  const phone = await phoneFor('Dennis');
  await phone.scanned(qr);
  await phone.cancel(qr);
  await page.waitForURL(`${rpUrl}/callback?**`, { timeout: 10_000 });
  expect(await page.locator('body').textContent()).toBe('error: access_denied');
});
