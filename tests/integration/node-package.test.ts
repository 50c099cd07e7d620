/**
 * `@qrlogin/node` against a real qrlogin (port 0): `verifyIdToken` takes a real ID token and
 * refuses a tampered, an expired, a wrong-audience one and the phone's user token;
 * `exchangeTicket` redeems a ticket once and refuses a reused ticket and a wrong secret
 * without quoting either; `qrLoginMiddleware` in a real Express app refuses what another site
 * can send (a form, text, `Sec-Fetch-Site: cross-site`: login CSRF), answers 400/401/502, or
 * runs `onLogin` (a session cookie) and answers 200.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QrLoginError, QrLoginTokenError, exchangeTicket, qrLoginMiddleware, verifyIdToken, type QrLoginUser } from '@qrlogin/node';
import { createTokenService } from '../../server/auth/tokens';
import { API, type CheckData } from '../../shared/http';
import { api, dataOf, type Api } from '../helpers/api';
import { confirm, gene, registerUser, scan } from '../helpers/flow';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer, testApp, withApps } from '../helpers/server';

const SECRET = 'shop-app-secret-0123456789abcdef';
let server: TestServer;
let http: Api;

beforeAll(async () => {
  server = await startServer({
    configure: withApps((config) => testApp(config, { id: 'shop', secret: SECRET, allowBrowserExchange: false })),
  });
  http = api(server.url);
});
afterAll(() => server.close());

/** A confirmed QR of app `shop`: its ticket, as the browser that showed it gets it, and the phone user. */
async function approvedTicket(nickname = 'Alice'): Promise<{ ticket: string; userId: string; userToken: string }> {
  const phone = await registerUser(http, nickname);
  const qr = await gene(http, { 'x-authing-app-id': 'shop' });
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  if (!check.ticket) throw new Error('no ticket after confirm');
  return { ticket: check.ticket, userId: phone.user.id, userToken: phone.token };
}

const options = () => ({ host: server.url, appId: 'shop', appSecret: SECRET });
const verifyOptions = () => ({ issuer: server.config.issuer, audience: 'shop' });

async function failure<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const outcome: unknown = await promise.then(() => 'resolved').catch((error: unknown) => error);
  expect(outcome).toBeInstanceOf(type);
  return outcome as E;
}

function expectNoneOf(error: Error, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(error.message).not.toContain(secret);
    expect(String(error.stack)).not.toContain(secret);
  }
}

describe('exchangeTicket and verifyIdToken', () => {
  let idToken: string;
  let userToken: string;

  test('the app secret redeems a ticket once; the ID token verifies through the discovery document', async () => {
    const { ticket, userId, userToken: phoneToken } = await approvedTicket('Alice');
    userToken = phoneToken;
    const user = await exchangeTicket(ticket, options());
    expect(user).toMatchObject({ id: userId, nickname: 'Alice', token: expect.any(String) });
    idToken = user.token;
    const claims = await verifyIdToken(user.token, verifyOptions());
    expect(claims).toMatchObject({ iss: server.config.issuer, aud: 'shop', sub: userId, amr: ['qr'], nickname: 'Alice', name: 'Alice' });
    expect(claims.preferred_username).toEqual(user.username);
    expect(typeof claims.auth_time).toBe('number');
    const reused = await failure(exchangeTicket(ticket, options()), QrLoginError);
    expect(reused.code).toBe(2244);
    expectNoneOf(reused, ticket, SECRET);
  });

  test('a wrong app secret gets 401 and leaves the ticket usable; neither appears in the error', async () => {
    const { ticket, userId } = await approvedTicket();
    const wrong = 'not-the-shop-secret-0123456789';
    const refused = await failure(exchangeTicket(ticket, { ...options(), appSecret: wrong }), QrLoginError);
    expect(refused.code).toBe(401);
    expectNoneOf(refused, ticket, wrong, SECRET);
    expect((await exchangeTicket(ticket, options())).id).toBe(userId);
  });

  test('an unreachable qrlogin is code 0, without the ticket or the secret', async () => {
    const port = await freePort();
    const error = await failure(exchangeTicket('some-ticket-value-123', { ...options(), host: `http://127.0.0.1:${port}` }), QrLoginError);
    expect(error.code).toBe(0);
    expectNoneOf(error, 'some-ticket-value-123', SECRET);
  });

  test('a tampered token (one payload character flipped) is invalid', async () => {
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const index = Math.floor(payload.length / 2);
    const flipped = payload[index] === 'A' ? 'B' : 'A';
    const tampered = `${header}.${payload.slice(0, index)}${flipped}${payload.slice(index + 1)}.${signature}`;
    const error = await failure(verifyIdToken(tampered, verifyOptions()), QrLoginTokenError);
    expect(error.code).toBe('invalid');
    expectNoneOf(error, tampered, payload, signature);
  });

  test('an expired token, signed with the server key, is expired', async () => {
    const past = createTokenService({
      issuer: server.config.issuer,
      keys: server.app.keys,
      idTokenTtlSeconds: 3600,
      userTokenTtlSeconds: 600,
      now: () => Date.now() - 2 * 3600_000,
    });
    const { token } = past.signIdToken({ id: 'u1', username: 'old', nickname: 'Old', photo: null, email: null, phone: null }, 'shop');
    const error = await failure(verifyIdToken(token, verifyOptions()), QrLoginTokenError);
    expect(error.code).toBe('expired');
    expectNoneOf(error, token);
  });

  test("another app's token, another issuer, and the phone's user token are invalid", async () => {
    const other = server.app.tokens.signIdToken(
      { id: 'u1', username: 'x', nickname: 'X', photo: null, email: null, phone: null },
      'other-app',
    );
    expect((await failure(verifyIdToken(other.token, verifyOptions()), QrLoginTokenError)).code).toBe('invalid');
    expect((await failure(verifyIdToken(idToken, { ...verifyOptions(), audience: 'other-app' }), QrLoginTokenError)).code).toBe('invalid');
    const issuer = await failure(
      verifyIdToken(idToken, { ...verifyOptions(), jwksUri: `${server.url}${API.jwks}`, issuer: 'https://elsewhere.example' }),
      QrLoginTokenError,
    );
    expect(issuer.code).toBe('invalid');
    // Same key, but typ qrlogin-user+jwt and aud qrlogin:user: refused even for that audience.
    for (const audience of ['shop', 'qrlogin:user']) {
      const error = await failure(verifyIdToken(userToken, { issuer: server.config.issuer, audience }), QrLoginTokenError);
      expect(error.code).toBe('invalid');
      expectNoneOf(error, userToken);
    }
  });

  test('the keys are fetched once per issuer, whatever the number of calls', async () => {
    let fetches = 0;
    const counting = createServer((req, res) => {
      fetches += 1;
      void fetch(`${server.url}${req.url ?? ''}`).then(async (response) =>
        res.writeHead(response.status, { 'content-type': 'application/json' }).end(await response.text()),
      );
    });
    counting.listen(0, '127.0.0.1');
    await once(counting, 'listening');
    const jwksUri = `http://127.0.0.1:${(counting.address() as AddressInfo).port}${API.jwks}`;
    try {
      for (let i = 0; i < 3; i += 1) expect((await verifyIdToken(idToken, { ...verifyOptions(), jwksUri })).aud).toBe('shop');
      expect(fetches).toBe(1);
    } finally {
      counting.closeAllConnections();
      counting.close();
    }
  });

  test('keys out of reach are unreachable', async () => {
    const port = await freePort();
    const error = await failure(verifyIdToken(idToken, { issuer: `http://127.0.0.1:${port}`, audience: 'shop' }), QrLoginTokenError);
    expect(error.code).toBe('unreachable');
    expectNoneOf(error, idToken);
  });
});

describe('qrLoginMiddleware in an Express app', () => {
  let site: { url: string; close(): Promise<void> };
  const logins: QrLoginUser[] = [];
  const errors: Error[] = [];

  beforeAll(async () => {
    const app = express();
    const onLogin = (user: QrLoginUser, _req: Request, res: Response) => {
      logins.push(user);
      res.cookie('sid', `session-of-${user.id}`, { httpOnly: true, sameSite: 'lax' });
    };
    app.post(
      '/auth/qrlogin',
      express.json(),
      express.urlencoded({ extended: false }),
      express.text(),
      qrLoginMiddleware<Request, Response>({ ...options(), onLogin }),
    );
    app.post('/no-parser', qrLoginMiddleware({ ...options(), onLogin: () => undefined }));
    app.post(
      '/wrong-secret',
      express.json(),
      qrLoginMiddleware({ ...options(), appSecret: 'wrong-secret-0123456789', onLogin: () => undefined }),
    );
    app.post(
      '/answers',
      express.json(),
      qrLoginMiddleware<Request, Response>({
        ...options(),
        onLogin: (user, _req, res) => void res.status(201).json({ hello: user.nickname }),
      }),
    );
    const port = await freePort();
    app.post(
      '/unreachable',
      express.json(),
      qrLoginMiddleware({ ...options(), host: `http://127.0.0.1:${port}`, onLogin: () => undefined }),
    );
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(error);
      res.status(500).json({ error: 'internal' });
    });
    const listener = app.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    site = {
      url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
    };
  });
  afterAll(() => site.close());

  const post = (path: string, body: string, type = 'application/json', headers: Record<string, string> = {}) =>
    fetch(`${site.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });

  test('no ticket: 400 ticket_required', async () => {
    for (const [body, type] of [['{}'], ['{"ticket": 42}'], ['{"ticket": ""}', 'application/json; charset=utf-8']] as const) {
      const response = await post('/auth/qrlogin', body, type);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'ticket_required' });
    }
    expect(logins).toEqual([]);
  });

  test('an unknown or reused ticket: 401 ticket_refused, and onLogin does not run', async () => {
    const response = await post('/auth/qrlogin', JSON.stringify({ ticket: 'no-such-ticket-0123456789' }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'ticket_refused' });
    expect(logins).toEqual([]);
  });

  test('a good ticket: onLogin starts the session, the middleware answers {user}; the ticket then is refused', async () => {
    const { ticket, userId } = await approvedTicket('Bob');
    const response = await post('/auth/qrlogin', JSON.stringify({ ticket }));
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^sid=session-of-${userId};.*HttpOnly`));
    const body = (await response.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ id: userId, nickname: 'Bob' });
    expect(body.user).not.toHaveProperty('token');
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ id: userId, nickname: 'Bob', claims: { sub: userId, aud: 'shop', amr: ['qr'] } });
    const again = await post('/auth/qrlogin', JSON.stringify({ ticket }));
    expect(again.status).toBe(401);
  });

  test('login CSRF: a good ticket posted as a form, as text, or by another site is refused, and onLogin does not run', async () => {
    // What another website can make a visitor's browser send without a CORS preflight.
    const { ticket, userId } = await approvedTicket('Mallory');
    const before = logins.length;
    const form = await post('/auth/qrlogin', `ticket=${encodeURIComponent(ticket)}`, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: 'json_required' });
    const text = await post('/auth/qrlogin', JSON.stringify({ ticket }), 'text/plain');
    expect(text.status).toBe(415);
    // JSON, but the browser says another site sent it.
    const crossSite = await post('/auth/qrlogin', JSON.stringify({ ticket }), 'application/json', { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: 'cross_site' });
    expect(logins).toHaveLength(before);
    // The ticket was never spent: the site's own page still signs in with it.
    const own = await post('/auth/qrlogin', JSON.stringify({ ticket }), 'application/json', { 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(logins.at(-1)).toMatchObject({ id: userId, nickname: 'Mallory' });
  });

  test('with no body parser at all, the JSON body is read from the request', async () => {
    const second = await approvedTicket('Dan');
    const raw = await post('/no-parser', JSON.stringify({ ticket: second.ticket }));
    expect(raw.status).toBe(200);
    expect(await raw.json()).toMatchObject({ user: { id: second.userId, nickname: 'Dan' } });
  });

  test('onLogin may answer itself', async () => {
    const { ticket } = await approvedTicket('Erin');
    const response = await post('/answers', JSON.stringify({ ticket }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ hello: 'Erin' });
  });

  test('qrlogin unreachable: 502 qrlogin_unreachable', async () => {
    const response = await post('/unreachable', JSON.stringify({ ticket: 'some-ticket-0123456789' }));
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'qrlogin_unreachable' });
  });

  test('a wrong app secret is a configuration error: next(error), code 401, no secret or ticket in it', async () => {
    const { ticket } = await approvedTicket();
    const response = await post('/wrong-secret', JSON.stringify({ ticket }));
    expect(response.status).toBe(500);
    const error = errors.at(-1);
    expect(error).toBeInstanceOf(QrLoginError);
    expect((error as QrLoginError).code).toBe(401);
    expectNoneOf(error as Error, ticket, 'wrong-secret-0123456789', SECRET);
  });
});
