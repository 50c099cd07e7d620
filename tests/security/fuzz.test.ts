/**
 * Property-based fuzz (fast-check) of every endpoint and every client socket event: random
 * bodies, query strings, headers and payloads, both shapeless and near-valid. Whatever comes
 * in, the answer is never a 5xx, always a well-formed envelope (or ack), no error is logged,
 * and the server keeps serving. 13,100 cases in all (counted, and checked in afterAll); a failing case is shrunk
 * and printed by fast-check with its seed.
 */
import fc from 'fast-check';
import { API, HEADERS } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { api } from '../helpers/api';
import { bearer, gene, registerUser } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { type ClientSocket, closeAllSockets, connect } from '../helpers/sockets';
import { QR_STATE_REASONS } from '../../shared/errors';

let server: TestServer;
let token: string;
let realRandom: string;
let realSecret: string;
let cases = 0;

beforeAll(async () => {
  // No rate limits here: every case must reach the handlers (429 would hide them).
  // A second app with number matching, so confirm's matching path is fuzzed too.
  const bank = { id: 'bank', name: 'Bank', secret: 'bank-secret-0123456789', origins: ['http://localhost:*'], numberMatching: true };
  server = await startServer({ env: { RATE_LIMITS: 'off', LOG_LEVEL: 'warn', APPS: JSON.stringify([bank]) } });
  token = (await registerUser(api(server.url))).token;
  const qr = await gene(api(server.url), { [HEADERS.appId]: 'bank' });
  await api(server.url).post(API.scanned, { random: qr.random }, bearer(token));
  realRandom = qr.random;
  realSecret = qr.secret;
});

afterAll(async () => {
  closeAllSockets();
  await server.close();
  // The total the module promises.
  expect(cases).toBeGreaterThanOrEqual(10_000);
});

/** Any JSON value, with strings that look like what the API expects now and then. */
const nearString = () =>
  fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom(
      realRandom,
      realSecret,
      token,
      '',
      ' ',
      '__proto__',
      'constructor',
      '%00',
      '\u0000',
      'A'.repeat(43),
      '../../etc/passwd',
    ),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
const jsonValue = () =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      nearString(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom('random', 'secret', 'ticket', 'username', 'password', 'appId', 'customData', '__proto__'),
        ),
        tie('value'),
        { maxKeys: 5 },
      ),
    ),
  })).value;
/** Bodies shaped like the real ones, with random field values. */
const nearBody = () =>
  fc.record(
    {
      random: jsonValue(),
      secret: jsonValue(),
      ticket: jsonValue(),
      username: jsonValue(),
      password: jsonValue(),
      nickname: jsonValue(),
      appId: jsonValue(),
      customData: jsonValue(),
      scene: jsonValue(),
      matchCode: fc.oneof(
        jsonValue(),
        fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0')),
      ),
    },
    { requiredKeys: [] },
  );
const headers = () =>
  fc
    .record(
      {
        authorization: fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constant(bearer(token).authorization),
          fc.constant(`Bearer ${'x'.repeat(300)}`),
        ),
        [HEADERS.appId]: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('demo', 'bank')),
        [HEADERS.lang]: fc.constantFrom('zh-CN', 'en', 'xx', ''),
        [HEADERS.secret]: fc.oneof(fc.string({ maxLength: 50 }), fc.constant(realSecret)),
        origin: fc.constantFrom('http://localhost:5173', 'https://evil.example', 'null', 'not a url'),
        'x-forwarded-for': fc.constantFrom('203.0.113.9', 'garbage', '::1, 10.0.0.1'),
      },
      { requiredKeys: [] },
    )
    .map((record) => {
      // fetch refuses header values with control characters; those cannot reach a server anyway.
      const clean: Record<string, string> = {};
      for (const [name, value] of Object.entries(record))
        if (typeof value === 'string' && /^[\x20-\x7e]*$/.test(value)) clean[name] = value;
      return clean;
    });

function expectEnvelope(status: number, text: string): void {
  expect(status).toBeLessThan(500);
  const body = JSON.parse(text) as { code: unknown; message: unknown; data: unknown };
  expect(typeof body.code).toBe('number');
  expect(typeof body.message).toBe('string');
  expect('data' in body).toBe(true);
  // An error carries no data, except 2243, which says why (`{reason}`, QR_STATE_REASONS).
  if (body.code === 2243) expect(Object.keys(QR_STATE_REASONS)).toContain((body.data as { reason?: unknown } | null)?.reason);
  else if (body.code !== 200) expect(body.data).toBeNull();
  expect(body.code === 500 || body.code === 503).toBe(false);
}

async function send(method: string, path: string, body: string | undefined, extra: Record<string, string>): Promise<void> {
  cases += 1;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? extra : { 'content-type': 'application/json', ...extra },
    body,
  });
  expectEnvelope(response.status, await response.text());
}

const POSTS = [API.gene, API.userinfo, API.scanned, API.confirm, API.cancel, API.register, API.login] as const;

test.each(POSTS)('POST %s: 1,200 random JSON bodies and headers', async (path) => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(jsonValue(), nearBody()), headers(), async (body, extra) => {
      await send('POST', path, JSON.stringify(body), extra);
    }),
    { numRuns: 1_200 },
  );
});

test('POST every endpoint with 800 raw bodies that are not JSON or lie about their type', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...POSTS), fc.string({ unit: 'binary', maxLength: 200 }), headers(), async (path, raw, extra) => {
      await send('POST', path, raw, extra);
    }),
    { numRuns: 800 },
  );
});

test('GET check: 1,200 random query strings', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 80 }).map((text) => `?random=${encodeURIComponent(text)}`),
        fc.constantFrom(
          '',
          '?',
          '?random',
          '?random=&random=x',
          '?random[]=a',
          `?random=${realRandom}`,
          '?random=%E0%A4%A',
          '?random[a]=1',
        ),
        fc
          .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 4 })
          .map((query) => `?${new URLSearchParams(query).toString()}`),
      ),
      headers(),
      async (query, extra) => {
        await send('GET', `${API.check}${query}`, undefined, extra);
      },
    ),
    { numRuns: 1_200 },
  );
});

test('GET and DELETE the phone’s sessions: 600 random ids and tokens', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'DELETE'),
      fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('', '/', '/..', '/%00', '/a/b', `/${'x'.repeat(300)}`)),
      fc.oneof(fc.constant(token), fc.string({ maxLength: 60 }), fc.constant('')),
      headers(),
      async (method, id, userToken, extra) => {
        const path = method === 'GET' ? API.sessions : `${API.sessions}/${id.startsWith('/') ? id.slice(1) : encodeURIComponent(id)}`;
        await send(method, path, undefined, { ...extra, authorization: `Bearer ${userToken}` });
      },
    ),
    { numRuns: 600 },
  );
});

describe('socket events', () => {
  let socket: ClientSocket;
  beforeAll(async () => {
    socket = await connect(server.url);
  });

  test.each([EVENTS.create, EVENTS.subscribe, EVENTS.unsubscribe])('%s: 500 random payloads, always a well-formed ack', async (event) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonValue(), nearBody()), async (payload) => {
        cases += 1;
        // `never`: the payload is deliberately not of the event's type.
        const ack = (await socket.timeout(5_000).emitWithAck(event, payload as never)) as {
          ok: boolean;
          error?: { code: unknown; message: unknown };
        };
        expect(typeof ack.ok).toBe('boolean');
        if (!ack.ok) {
          expect(typeof ack.error?.code).toBe('number');
          expect(typeof ack.error?.message).toBe('string');
          expect(ack.error?.code === 500 || ack.error?.code === 503).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
    expect(socket.connected).toBe(true);
  });
});

test('with the rate limits on, 600 random requests: the 429s are well-formed envelopes too', async () => {
  // Small limits: the random headers spread the requests over four client addresses
  // (X-Forwarded-For from loopback is believed), and refused origins never reach a limit.
  const limited = await startServer({
    env: { LOG_LEVEL: 'warn', RATE_LIMITS: 'gene=5/60,check=5/60,userinfo=5/60,login=5/60,register=5/60,phone=5/60' },
  });
  let tooMany = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POSTS), fc.oneof(jsonValue(), nearBody()), headers(), async (path, body, extra) => {
        cases += 1;
        const response = await fetch(`${limited.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...extra },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        expectEnvelope(response.status, text);
        if (response.status === 429) {
          tooMany += 1;
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 600 },
    );
  } finally {
    await limited.close();
  }
  expect(tooMany).toBeGreaterThan(0);
});

test('afterwards: no error was logged and the server still serves a full login', async () => {
  expect(server.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  const qr = await gene(api(server.url));
  expect(qr.random).toMatch(/^[A-Za-z0-9_-]{22}$/);
});
