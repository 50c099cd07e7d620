/**
 * The mobile SDK's `me()` against a real server, and how an app tells "sign in again" from
 * any other failure: `isSignInRequired(error)` (code 2020, `QR_LOGIN_ERROR_CODES.NOT_LOGGED_IN`)
 * for a missing, revoked or foreign token; a network failure is not one.
 */
import { QR_LOGIN_ERROR_CODES, QrLoginError, QrLoginMobileClient, errorCode, isSignInRequired, type FetchLike } from '@qrlogin/mobile';
import { ERRORS } from '../../shared/errors';
import { type TestServer, startServer } from '../helpers/server';

const PASSWORD = 'correct horse battery';
/** Both servers issue for the same deployment name: only their signing keys differ. */
const ENV = { ISSUER: 'https://qrlogin.test' };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: ENV });
});
afterAll(() => server.close());

const unique = () => `me${Date.now()}${Math.floor(Math.random() * 1e6)}`;

async function rejectionOf(promise: Promise<unknown>): Promise<QrLoginError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof QrLoginError)) throw error;
  return error;
}

/** A phone signed in as a fresh user. */
async function signedInPhone(nickname = 'Me Tester'): Promise<QrLoginMobileClient> {
  const phone = new QrLoginMobileClient({ host: server.url });
  await phone.register({ username: unique(), password: PASSWORD, nickname });
  return phone;
}

test('the exported codes are the wire codes, and isSignInRequired is true for 2020 only', () => {
  expect(QR_LOGIN_ERROR_CODES.NOT_LOGGED_IN).toBe(2020);
  expect(QR_LOGIN_ERROR_CODES.BUILTIN_USERS_DISABLED).toBe(2028);
  expect(QR_LOGIN_ERROR_CODES.NETWORK_ERROR).toBe(0);
  for (const [name, entry] of Object.entries(ERRORS)) expect(QR_LOGIN_ERROR_CODES[name as keyof typeof ERRORS]).toBe(entry.code);
  expect(Object.isFrozen(QR_LOGIN_ERROR_CODES)).toBe(true);

  expect(isSignInRequired(new QrLoginError(2020, 'User not logged in'))).toBe(true);
  for (const code of [0, 400, 429, 503, 2028, 2241, 2333]) expect(isSignInRequired(new QrLoginError(code, 'x'))).toBe(false);
  expect(isSignInRequired(new Error('User not logged in'))).toBe(false);
  expect(isSignInRequired(undefined)).toBe(false);
  expect(errorCode(new QrLoginError(2020, 'x'))).toBe(2020);
});

test('me() returns the user a live token signs in', async () => {
  const phone = await signedInPhone('Mia');
  const user = await phone.me();
  expect(user).toMatchObject({ nickname: 'Mia', username: expect.stringMatching(/^me/) });
  expect(user).not.toHaveProperty('passwordHash');
  expect(JSON.stringify(user)).not.toContain(phone.token ?? 'no token');
});

test('after a logout from another client with the same token, me() rejects with 2020 and isSignInRequired', async () => {
  const phone = await signedInPhone();
  const token = phone.token ?? '';
  const other = new QrLoginMobileClient({ host: server.url, token });
  await other.logout();
  expect(other.token).toBeNull();

  const error = await rejectionOf(phone.me());
  expect(error.code).toBe(QR_LOGIN_ERROR_CODES.NOT_LOGGED_IN);
  expect(isSignInRequired(error)).toBe(true);
  expect(error.message).toBe(ERRORS.NOT_LOGGED_IN.en);
  expect(error.message).not.toContain(token);
  // me() reports; it does not sign the client out (the app decides).
  expect(phone.token).toBe(token);
});

test('no token: 2020 at once, in the chosen language, without a request', async () => {
  const calls: string[] = [];
  const spy: FetchLike = (input, init) => {
    calls.push(input);
    return fetch(input, init);
  };
  const phone = new QrLoginMobileClient({ host: server.url, fetch: spy });
  const error = await rejectionOf(phone.me());
  expect(isSignInRequired(error)).toBe(true);
  expect(error.message).toBe(ERRORS.NOT_LOGGED_IN.en);

  const zh = new QrLoginMobileClient({ host: server.url, fetch: spy, lang: 'zh-CN' });
  expect((await rejectionOf(zh.me())).message).toBe(ERRORS.NOT_LOGGED_IN.zh);
  zh.setToken('');
  expect(isSignInRequired(await rejectionOf(zh.me()))).toBe(true);
  expect(calls).toEqual([]);
});

test('a token of a server restarted with another signing key gets 2020', async () => {
  const phone = await signedInPhone();
  const restarted = await startServer({ env: ENV });
  try {
    const elsewhere = new QrLoginMobileClient({ host: restarted.url, token: phone.token ?? '' });
    const error = await rejectionOf(elsewhere.me());
    expect(error.code).toBe(2020);
    expect(isSignInRequired(error)).toBe(true);
    // The restarted server's own users are fine.
    const fresh = new QrLoginMobileClient({ host: restarted.url });
    await fresh.register({ username: unique(), password: PASSWORD });
    await expect(fresh.me()).resolves.toMatchObject({ id: expect.any(String) });
  } finally {
    await restarted.close();
  }
});

test('garbage tokens get 2020, in Chinese when asked; no answer at all is code 0, not "sign in again"', async () => {
  for (const token of ['not-a-jwt', 'a.b.c', 'x'.repeat(2000)]) {
    const phone = new QrLoginMobileClient({ host: server.url, token, lang: 'zh-CN' });
    const error = await rejectionOf(phone.me());
    expect({ code: error.code, message: error.message }).toEqual({ code: 2020, message: ERRORS.NOT_LOGGED_IN.zh });
  }
  const unreachable = new QrLoginMobileClient({ host: 'http://127.0.0.1:9', token: 'any' });
  const error = await rejectionOf(unreachable.me());
  expect(error.code).toBe(QR_LOGIN_ERROR_CODES.NETWORK_ERROR);
  expect(isSignInRequired(error)).toBe(false);
});
