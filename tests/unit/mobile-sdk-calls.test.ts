/**
 * @qrlogin/mobile's call shapes, against a fake fetch: objects everywhere
 * (`scanned(parseQrCode(text))` as it is), the deprecated positional forms sending the same
 * bodies, wrong arguments from plain JavaScript refused at once (code 400, the expected shape
 * named, no request), and errors carrying the code and HTTP status but never the token.
 */
import { QR_LOGIN_ERROR_CODES, QrLoginError, QrLoginMobileClient, parseQrCode, type FetchLike } from '../../client/mobile/index';

const RANDOM = 'r-123-abcdefghijklmnop';
const TOKEN = 'user-token-never-in-errors';
const QR_TEXT = JSON.stringify({
  scene: 'APP_AUTH',
  random: RANDOM,
  userPoolId: 'p',
  appId: 'demo',
  createdAt: 'a',
  expireAt: 'b',
  customData: {},
});

function phoneWith(answer: { code: number; message?: string; data?: unknown }, httpStatus = 200) {
  const calls: { path: string; body: unknown; authorization: string | undefined }[] = [];
  const fetch: FetchLike = (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({
      path: new URL(input).pathname,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
      authorization: headers.authorization,
    });
    return Promise.resolve(new Response(JSON.stringify({ message: '', data: null, ...answer }), { status: httpStatus }));
  };
  return { phone: new QrLoginMobileClient({ host: 'http://qr.test', token: TOKEN, fetch }), calls };
}

async function rejection(promise: Promise<unknown>): Promise<QrLoginError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  if (!(error instanceof QrLoginError)) throw error;
  return error;
}

test('objects everywhere: the payload of parseQrCode goes in as it is, and only { random } is sent', async () => {
  const { phone, calls } = phoneWith({ code: 200, data: { random: RANDOM, status: 1 } });
  const qr = parseQrCode(QR_TEXT);
  await phone.scanned(qr);
  await phone.confirm({ random: RANDOM, matchCode: '42' });
  await phone.confirm(qr);
  await phone.cancel(qr);
  expect(calls.map(({ path, body }) => [path, body])).toEqual([
    ['/api/v2/qrcode/scanned', { random: RANDOM }],
    ['/api/v2/qrcode/confirm', { random: RANDOM, matchCode: '42' }],
    ['/api/v2/qrcode/confirm', { random: RANDOM }],
    ['/api/v2/qrcode/cancel', { random: RANDOM }],
  ]);
  expect(calls.every((call) => call.authorization === `Bearer ${TOKEN}`)).toBe(true);
});

test('the deprecated positional forms still work and send the same bodies', async () => {
  const { phone, calls } = phoneWith({ code: 200, data: { random: RANDOM, status: 1, token: 't', user: {} } });
  await phone.scanned(RANDOM);
  await phone.confirm(RANDOM, '42');
  await phone.cancel(RANDOM);
  await phone.login('me', 'correct horse battery');
  expect(calls.map(({ body }) => body)).toEqual([
    { random: RANDOM },
    { random: RANDOM, matchCode: '42' },
    { random: RANDOM },
    { username: 'me', password: 'correct horse battery' },
  ]);
});

test.each([
  ['login', (p: QrLoginMobileClient) => (p.login as (...a: unknown[]) => Promise<unknown>)('a'), 'login expects { username, password }'],
  [
    'login',
    (p: QrLoginMobileClient) => (p.login as (...a: unknown[]) => Promise<unknown>)({ user: 'a' }),
    'login expects { username, password }',
  ],
  [
    'register',
    (p: QrLoginMobileClient) => (p.register as (...a: unknown[]) => Promise<unknown>)('a', 'b'),
    'register expects { username, password, nickname? }',
  ],
  ['scanned', (p: QrLoginMobileClient) => (p.scanned as (...a: unknown[]) => Promise<unknown>)(undefined), 'scanned expects { random }'],
  [
    'confirm',
    (p: QrLoginMobileClient) => (p.confirm as (...a: unknown[]) => Promise<unknown>)({ random: 5 }),
    'confirm expects { random, matchCode? }',
  ],
  ['cancel', (p: QrLoginMobileClient) => (p.cancel as (...a: unknown[]) => Promise<unknown>)(null), 'cancel expects { random }'],
] as const)('%s with wrong arguments fails at once, naming the shape', async (_name, call, shape) => {
  const { phone, calls } = phoneWith({ code: 200, data: {} });
  const error = await rejection(call(phone));
  expect(error).toMatchObject({ name: 'QrLoginError', code: QR_LOGIN_ERROR_CODES.INVALID_REQUEST, status: 0 });
  expect(error.message.startsWith(shape)).toBe(true);
  expect(calls).toEqual([]);
});

test('a refusal carries the envelope code and the HTTP status, never the token', async () => {
  const { phone } = phoneWith({
    code: 2243,
    message: 'Action not allowed in the QR code’s current state: already cancelled',
    data: { reason: 'already_cancelled' },
  });
  const error = await rejection(phone.confirm({ random: RANDOM }));
  expect(error).toMatchObject({ code: 2243, status: 200, reason: 'already_cancelled' });
  const limited = await rejection(phoneWith({ code: 429, message: 'Too many requests' }, 429).phone.scanned({ random: RANDOM }));
  expect(limited).toMatchObject({ code: QR_LOGIN_ERROR_CODES.RATE_LIMITED, status: 429 });
  for (const e of [error, limited]) {
    expect(`${e.message} ${e.stack ?? ''} ${JSON.stringify(e)} ${JSON.stringify(Object.entries(e))}`).not.toContain(TOKEN);
  }
  const down = new QrLoginMobileClient({
    host: 'http://qr.test',
    token: TOKEN,
    fetch: () => Promise.reject(new TypeError('Failed to fetch')),
  });
  expect(await rejection(down.me())).toMatchObject({ code: QR_LOGIN_ERROR_CODES.NETWORK_ERROR, status: 0 });
});
