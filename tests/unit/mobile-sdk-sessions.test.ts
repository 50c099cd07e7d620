/**
 * @qrlogin/mobile's signed-in browsers, against a fake fetch: `sessions()` GETs
 * `/api/v2/sessions` with the bearer token and returns the list; `signOut({ id })` sends
 * `DELETE /api/v2/sessions/:id` (the id URL-encoded); a 404 (already signed out), a 2020 and
 * a 429 come back as `QrLoginError` with code and status, never the token; no token or a wrong
 * call fails at once without a request.
 */
import type { SignedInBrowser } from '../../shared/http';
import { QR_LOGIN_ERROR_CODES, QrLoginError, QrLoginMobileClient, isSignInRequired, type FetchLike } from '../../client/mobile/index';

const TOKEN = 'user-token-never-in-errors';
const BROWSER: SignedInBrowser = {
  id: 'sid-1',
  app: { id: 'demo', name: 'qrlogin demo' },
  browser: 'Chrome 131',
  os: 'macOS 14',
  ip: '203.0.113.7',
  createdAt: '2025-01-02T03:04:05.000Z',
};

interface Call {
  method: string;
  path: string;
  body: string | undefined;
  authorization: string | undefined;
}

function phoneWith(answer: { code: number; message?: string; data?: unknown }, httpStatus = 200, token = TOKEN) {
  const calls: Call[] = [];
  const fetch: FetchLike = (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const url = new URL(input);
    calls.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      body: init?.body as string | undefined,
      authorization: headers.authorization,
    });
    return Promise.resolve(new Response(JSON.stringify({ message: '', data: null, ...answer }), { status: httpStatus }));
  };
  return { phone: new QrLoginMobileClient({ host: 'http://qr.test/', token, fetch }), calls };
}

async function rejection(promise: Promise<unknown>): Promise<QrLoginError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  if (!(error instanceof QrLoginError)) throw error;
  return error;
}

function expectNoToken(error: Error): void {
  expect(`${error.message} ${error.stack ?? ''} ${JSON.stringify(error)} ${JSON.stringify(Object.entries(error))}`).not.toContain(TOKEN);
}

test('sessions() lists the signed-in browsers with the bearer token', async () => {
  const { phone, calls } = phoneWith({ code: 200, data: { sessions: [BROWSER] } });
  await expect(phone.sessions()).resolves.toEqual([BROWSER]);
  expect(calls).toEqual([{ method: 'GET', path: '/api/v2/sessions', body: undefined, authorization: `Bearer ${TOKEN}` }]);
});

test('signOut({ id }) deletes that session, the id URL-encoded, and returns what ended', async () => {
  const { phone, calls } = phoneWith({ code: 200, data: { signedOut: ['a/b?c', 'other'] } });
  await expect(phone.signOut({ id: 'a/b?c' })).resolves.toEqual({ signedOut: ['a/b?c', 'other'] });
  expect(calls).toEqual([{ method: 'DELETE', path: '/api/v2/sessions/a%2Fb%3Fc', body: undefined, authorization: `Bearer ${TOKEN}` }]);
});

test('an unknown or already signed-out session is code 404 (NOT_FOUND), without the token', async () => {
  const { phone } = phoneWith({ code: 404, message: 'Not found' });
  const error = await rejection(phone.signOut({ id: 'gone' }));
  expect(error).toMatchObject({ name: 'QrLoginError', code: QR_LOGIN_ERROR_CODES.NOT_FOUND, status: 200 });
  expectNoToken(error);
});

test('a dead token is 2020 (sign in again) and a rate limit is 429, for both calls; the token is kept', async () => {
  const dead = phoneWith({ code: 2020, message: 'User not logged in' });
  for (const call of [dead.phone.sessions(), dead.phone.signOut({ id: 'sid-1' })]) {
    const error = await rejection(call);
    expect(error.code).toBe(2020);
    expect(isSignInRequired(error)).toBe(true);
    expectNoToken(error);
  }
  expect(dead.phone.token).toBe(TOKEN);
  const limited = phoneWith({ code: 429, message: 'Too many requests' }, 429);
  expect(await rejection(limited.phone.sessions())).toMatchObject({ code: QR_LOGIN_ERROR_CODES.RATE_LIMITED, status: 429 });
  expect(await rejection(limited.phone.signOut({ id: 'x' }))).toMatchObject({ code: 429, status: 429 });
});

test('without a token, both fail with 2020 and send nothing', async () => {
  const { phone, calls } = phoneWith({ code: 200, data: { sessions: [] } }, 200, '');
  expect((await rejection(phone.sessions())).code).toBe(2020);
  expect((await rejection(phone.signOut({ id: 'sid-1' }))).code).toBe(2020);
  expect(calls).toEqual([]);
});

test.each([[undefined], ['sid-1'], [{}], [{ id: '' }], [{ id: 5 }], [null]])(
  'signOut(%p) fails at once, naming the shape, without a request',
  async (input) => {
    const { phone, calls } = phoneWith({ code: 200, data: { signedOut: [] } });
    const error = await rejection((phone.signOut as (...a: unknown[]) => Promise<unknown>)(input));
    expect(error).toMatchObject({ code: QR_LOGIN_ERROR_CODES.INVALID_REQUEST, status: 0 });
    expect(error.message.startsWith('signOut expects { id }')).toBe(true);
    expect(calls).toEqual([]);
  },
);

test('no answer is code 0', async () => {
  const down = new QrLoginMobileClient({
    host: 'http://qr.test',
    token: TOKEN,
    fetch: () => Promise.reject(new TypeError('Failed to fetch')),
  });
  expect(await rejection(down.sessions())).toMatchObject({ code: QR_LOGIN_ERROR_CODES.NETWORK_ERROR, status: 0 });
  expect(await rejection(down.signOut({ id: 'sid-1' }))).toMatchObject({ code: 0, status: 0 });
});
