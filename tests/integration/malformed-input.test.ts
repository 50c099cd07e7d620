/**
 * Bad input anywhere gets a clear envelope error with a stable code: never a 500, never a
 * stack trace, never a credential echoed; and the process keeps serving.
 */
import { request } from 'node:http';
import { API } from '../../shared/http';
import { ERRORS } from '../../shared/errors';
import { api, type Api } from '../helpers/api';
import { bearer, gene, registerUser } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';

let server: TestServer;
let http: Api;
let token: string;

beforeAll(async () => {
  server = await startServer();
  http = api(server.url);
  token = (await registerUser(http)).token;
});
afterAll(() => server.close());

const POST_ENDPOINTS = [API.gene, API.userinfo, API.scanned, API.confirm, API.cancel, API.register, API.login] as const;
/** The field each endpoint requires (gene requires none). */
const REQUIRED: Record<string, string | null> = {
  [API.gene]: null,
  [API.userinfo]: 'ticket',
  [API.scanned]: 'random',
  [API.confirm]: 'random',
  [API.cancel]: 'random',
  [API.register]: 'username',
  [API.login]: 'username',
};

const RAW_BODIES = ['{bad', '[1,2]', '"text"', 'null', '', '{"a":', '\u0000\u0001'];
const WRONG_TYPES: unknown[] = [42, true, null, { nested: 1 }, ['x'], -1e308];

function expectClean(body: { code: number; message: string; data: unknown }, sent: string) {
  expect(body.data).toBeNull();
  expect(body.code).not.toBe(500);
  expect(body.message).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (sent.length >= 8) expect(body.message).not.toContain(sent);
}

describe.each(POST_ENDPOINTS)('%s', (path) => {
  // A getter: the token exists only once beforeAll has run.
  const auth = () => bearer(token);

  test.each(RAW_BODIES)('raw body %j → 400', async (raw) => {
    const response = await http.raw(path, raw, auth());
    expect(response.status).toBe(200);
    // An empty body is "no body" (then only a required field is missing); every other raw body
    // here is malformed or not an object (the parser is strict: objects and arrays only).
    const expected = raw === '' && REQUIRED[path] === null ? 200 : 400;
    expect(response.body.code).toBe(expected);
    if (expected === 400) expectClean(response.body, raw);
  });

  const field = REQUIRED[path];
  if (field) {
    test.each(WRONG_TYPES)(`${field} = %j → 400 naming ${field}`, async (value) => {
      const response = await http.post(path, { [field]: value, password: 'correct horse battery' }, auth());
      expect(response.status).toBe(200);
      expect(response.body.code).toBe(400);
      expect(response.body.message).toContain(field);
      expectClean(response.body, String(value));
    });

    test(`missing ${field} → 400 "${field} is required"`, async () => {
      const response = await http.post(path, { unrelated: 1, __proto__: { polluted: true } }, auth());
      expect(response.body).toEqual({ code: 400, message: expect.stringContaining(`${field} is required`), data: null });
    });
  }
});

test('gene rejects a wrong scene and oversized customData, naming the field', async () => {
  expect((await http.post(API.gene, { scene: 'WXAPP_AUTH' })).body.message).toContain('scene');
  const big = { customData: { blob: 'x'.repeat(600) } };
  expect((await http.post(API.gene, big)).body).toEqual({ code: 400, message: expect.stringContaining('customData'), data: null });
});

test('check: a random that is not one string → 400; any string that is not a QR → 2241', async () => {
  for (const query of ['', '?random=a&random=b', '?random[x]=1']) {
    const response = await http.get(`${API.check}${query}`);
    expect({ query, code: response.body.code }).toEqual({ query, code: 400 });
  }
  for (const random of ['x', 'ÿ'.repeat(50), 'a'.repeat(4000), '../../etc/passwd']) {
    const response = await http.get(`${API.check}?random=${encodeURIComponent(random)}`);
    expect(response.body).toEqual({ code: 2241, message: ERRORS.QR_NOT_FOUND.en, data: null });
  }
});

/** A POST written by hand: chunked (no Content-Length) when `chunks` has several parts. */
function rawPost(
  path: string,
  chunks: string[],
  headers: Record<string, string>,
): Promise<{ status: number; body: { code: number; message: string; data: unknown } }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code: number; message: string; data: unknown } }),
      );
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('the JSON body reader (server/http/json-body.ts)', () => {
  test('a chunked body that grows past 16 kB → HTTP 413, and the server goes on serving', async () => {
    const response = await rawPost(API.gene, ['{"customData":{"blob":"', 'x'.repeat(10_000), 'x'.repeat(10_000), '"}}'], {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ code: 413, message: ERRORS.PAYLOAD_TOO_LARGE.en, data: null });
    expect((await gene(http)).random).toEqual(expect.any(String));
  });

  test('a chunked JSON body within the limit is read whole', async () => {
    const response = await rawPost(API.gene, ['{"customData":', '{"cart":', '42}}'], { 'content-type': 'application/json' });
    expect(response.body.code).toBe(200);
    expect(JSON.stringify(response.body.data)).toContain('cart');
  });

  test.each([
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }, /charset/],
    ['a compressed body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, /encoding/],
  ])('%s → 400 naming the problem', async (_what, headers, detail) => {
    const response = await rawPost(API.confirm, ['{"random":"abc"}'], { ...headers, ...bearer(token) });
    expect(response.status).toBe(200);
    expect(response.body.code).toBe(400);
    expect(response.body.message).toMatch(detail);
  });

  test('a body starting with a UTF-8 byte-order mark is read', async () => {
    const response = await rawPost(API.confirm, ['\uFEFF{"random":"abc"}'], { 'content-type': 'application/json', ...bearer(token) });
    expect(response.body.code).toBe(2241);
  });

  test('API answers carry no ETag (they are no-store); the published keys keep theirs', async () => {
    const answer = await http.post(API.gene, {});
    expect(answer.headers.get('etag')).toBeNull();
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const jwks = await fetch(`${server.url}${API.jwks}`);
    expect(jwks.headers.get('etag')).toEqual(expect.any(String));
  });

  test('charset=UTF-8 (any case, quoted) is read; a body that is not JSON is left unread', async () => {
    const quoted = await rawPost(API.confirm, ['{"random":"abc"}'], {
      'content-type': 'Application/JSON; charset="UTF-8"',
      ...bearer(token),
    });
    expect(quoted.body.code).toBe(2241);
    const text = await rawPost(API.confirm, ['random=abc'], { 'content-type': 'application/x-www-form-urlencoded', ...bearer(token) });
    expect(text.body.code).toBe(400);
    expect(text.body.message).toContain('random');
  });
});

test('a body over 16 kB → HTTP 413 with envelope code 413', async () => {
  const response = await http.post(API.gene, { customData: { blob: 'x'.repeat(20_000) } });
  expect(response.status).toBe(413);
  expect(response.body).toEqual({ code: 413, message: ERRORS.PAYLOAD_TOO_LARGE.en, data: null });
});

test('x-authing-lang: zh-CN answers in Chinese', async () => {
  const response = await http.get(`${API.check}?random=nope`, { 'x-authing-lang': 'zh-CN' });
  expect(response.body.message).toBe(ERRORS.QR_NOT_FOUND.zh);
});

test('unknown /api paths → HTTP 404 envelope; a malformed percent-encoding → 400', async () => {
  const missing = await http.get('/api/v2/nope');
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ code: 404, data: null });
  const response = await fetch(`${server.url}/api/v2/qrcode/check?random=%E0%A4%A`);
  expect(response.status).toBe(200);
  expect(((await response.json()) as { code: number }).code).not.toBe(500);
});

test('phone endpoints: no token, a garbage token or a wrong scheme → 2020 (checked before the body)', async () => {
  for (const headers of [{}, bearer('garbage'), { authorization: 'Basic dXNlcjpwYXNz' }, bearer(`${token}x`)]) {
    const response = await http.post(API.confirm, { random: 'whatever-0000000000000' }, headers);
    expect(response.body.code).toBe(2020);
    expectClean(response.body, token);
  }
});

test('after all of the above the server still serves, and logged no error', async () => {
  expect(await (await fetch(`${server.url}/livez`)).json()).toEqual({ status: 'ok' });
  expect((await gene(http)).random).toBeTruthy();
  const errors = server.logs.map((line) => JSON.parse(line) as { level: string }).filter((entry) => entry.level === 'error');
  expect(errors).toEqual([]);
});
