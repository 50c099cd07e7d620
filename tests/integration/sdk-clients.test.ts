/**
 * The web SDK's REST half and the mobile SDK, run in Node against a real server: the same
 * code the demo pages and a phone app use, without a browser.
 */
import { jwtVerify, createRemoteJWKSet } from 'jose';
import { QrLoginError } from '../../client/common/http';
import { QrLoginMobileClient } from '../../client/mobile/mobile-client';
import { QrLoginClient } from '../../client/web/qrlogin-client';
import { API } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { type TestServer, startServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const unique = () => `sdk${Date.now()}${Math.floor(Math.random() * 1e6)}`;

async function errorOf(promise: Promise<unknown>): Promise<QrLoginError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a QrLoginError');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof QrLoginError)) throw error;
  return error;
}

test('web client + mobile client complete a login: the web client remembers the secret for check and exchange', async () => {
  const web = new QrLoginClient({ host: server.url, appId: 'demo' });
  const phone = new QrLoginMobileClient({ host: server.url });
  const session = await phone.register({ username: unique(), password: 'correct horse battery', nickname: 'Sdk User' });
  expect(phone.token).toBe(session.token);

  const qr = await web.geneCode({ customData: { from: 'sdk' } });
  const payload = parseQrCode(qr.qrcode);
  expect(payload).toMatchObject({ random: qr.random, appId: 'demo', customData: { from: 'sdk' } });

  const scanned = await phone.scanned(payload);
  expect(scanned).toMatchObject({ status: 1, app: { id: 'demo' } });
  expect((await web.checkStatus(qr.random)).status).toBe(1);
  expect(await phone.confirm(payload)).toEqual({ random: qr.random, status: 2 });

  const status = await web.checkStatus(qr.random);
  expect(status).toMatchObject({ status: 2, ticket: expect.any(String), scannedUserId: session.user.id });
  const user = await web.exchangeUserInfo(status.ticket ?? '');
  expect(user).toMatchObject({ id: session.user.id, nickname: 'Sdk User' });
  const jwks = createRemoteJWKSet(new URL(`${server.url}${API.jwks}`));
  await expect(jwtVerify(user.token, jwks, { issuer: server.config.issuer, audience: 'demo' })).resolves.toBeTruthy();

  // Used once; the second exchange is refused with the stable code.
  expect((await errorOf(web.exchangeUserInfo(status.ticket ?? ''))).code).toBe(2244);
});

test('the mobile SDK signs in with an object, as it registers (the positional form of earlier versions still works)', async () => {
  const username = unique();
  const first = new QrLoginMobileClient({ host: server.url });
  const registered = await first.register({ username, password: 'correct horse battery' });
  const phone = new QrLoginMobileClient({ host: server.url });
  expect((await phone.login({ username, password: 'correct horse battery' })).user.id).toBe(registered.user.id);
  expect(phone.token).toEqual(expect.any(String));
  expect((await new QrLoginMobileClient({ host: server.url }).login(username, 'correct horse battery')).user.id).toBe(registered.user.id);
});

test('SDK errors carry the envelope code and a readable message, in the chosen language', async () => {
  const phone = new QrLoginMobileClient({ host: server.url });
  expect((await errorOf(phone.login({ username: 'nobody-here', password: 'wrong password' }))).code).toBe(2333);
  await phone.register({ username: unique(), password: 'correct horse battery' });
  const missing = await errorOf(phone.confirm({ random: 'does-not-exist-000000000' }));
  expect(missing).toMatchObject({ code: 2241, message: 'QR code does not exist' });

  const zh = new QrLoginClient({ host: server.url, lang: 'zh-CN' });
  expect((await errorOf(zh.checkStatus('does-not-exist-000000000'))).message).toBe('二维码不存在');

  const unreachable = new QrLoginClient({ host: 'http://127.0.0.1:9' });
  expect((await errorOf(unreachable.geneCode())).code).toBe(0);

  const loggedOut = new QrLoginMobileClient({ host: server.url });
  expect((await errorOf(loggedOut.scanned({ random: 'anything-0000000000000' }))).code).toBe(2020);
});

test('a phone that denies cancels the QR for the website', async () => {
  const web = new QrLoginClient({ host: server.url });
  const phone = new QrLoginMobileClient({ host: server.url });
  await phone.register({ username: unique(), password: 'correct horse battery' });
  const qr = await web.geneCode();
  await phone.scanned(qr);
  expect(await phone.cancel(qr)).toEqual({ random: qr.random, status: 3 });
  expect(await web.checkStatus(qr.random)).toMatchObject({ status: 3, ticket: null });
});

test('mobile logout revokes the token on the server and forgets it; a second phone of the same user stays signed in', async () => {
  const web = new QrLoginClient({ host: server.url });
  const username = unique();
  const phone = new QrLoginMobileClient({ host: server.url });
  await phone.register({ username, password: 'correct horse battery' });
  const other = new QrLoginMobileClient({ host: server.url });
  await other.login(username, 'correct horse battery');
  const oldToken = phone.token;
  if (!oldToken) throw new Error('no token after register');

  await expect(phone.logout()).resolves.toBeUndefined();
  expect(phone.token).toBeNull();
  // Logging out with no token is a no-op, not an error.
  await expect(phone.logout()).resolves.toBeUndefined();

  // The server refuses the old token, through the SDK and on the wire.
  const stale = new QrLoginMobileClient({ host: server.url, token: oldToken });
  expect((await errorOf(stale.scanned(await web.geneCode()))).code).toBe(2020);
  const raw = await fetch(`${server.url}${API.scanned}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${oldToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ random: (await web.geneCode()).random }),
  });
  expect(await raw.json()).toMatchObject({ code: 2020, data: null });
  // A logout with a token the server refuses (2020) still resolves and forgets it.
  await expect(stale.logout()).resolves.toBeUndefined();
  expect(stale.token).toBeNull();

  expect(await other.scanned(await web.geneCode())).toMatchObject({ status: 1 });
});

test('mobile logout forgets the token even when the server cannot be reached, and rejects with code 0', async () => {
  const phone = new QrLoginMobileClient({ host: 'http://127.0.0.1:9', token: 'some-token' });
  expect((await errorOf(phone.logout())).code).toBe(0);
  expect(phone.token).toBeNull();
});
