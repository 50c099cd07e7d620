/**
 * The whole QR login over real HTTP and real Socket.IO on one instance (embedded default):
 * create → subscribe → scanned → confirm → pushed ticket → exchange → ID token verified with
 * a standard JWT library against /.well-known/jwks.json.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { API, type CheckData, type GeneData, type ScannedData, type UserInfoData } from '../../shared/http';
import { EVENTS, type QrSnapshot } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf, type Api } from '../helpers/api';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { Socket as EngineSocket } from 'engine.io-client';
import { closeAllSockets, connect, recordPushes, waitFor, waitUntil } from '../helpers/sockets';

let server: TestServer;
let http: Api;

beforeAll(async () => {
  server = await startServer();
  http = api(server.url);
});
afterEach(() => closeAllSockets());
afterAll(() => server.close());

test('create → subscribe → scanned → confirm pushes the ticket; the exchanged ID token verifies via JWKS', async () => {
  const phone = await registerUser(http, 'Alice');
  const qr = await gene(http);
  const browser = await connect(server.url);
  const pushes = recordPushes(browser);

  const ack = await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  expect(ack).toEqual({
    ok: true,
    data: { random: qr.random, status: QR_STATUS.PENDING, version: 0, expireAt: qr.expireAt, serverNow: expect.any(String), userInfo: {} },
  });

  const scanned = waitFor(browser, EVENTS.scanned);
  const scanData = await scan(http, phone.token, qr.random);
  expect(scanData).toMatchObject({ random: qr.random, status: 1, app: { id: 'demo', name: expect.any(String) } });
  expect(scanData.requester).toEqual({
    ip: '127.0.0.1',
    userAgent: expect.any(String),
    browser: expect.any(String),
    os: expect.any(String),
    origin: null,
  });
  expect(scanData.sameNetwork).toBe(true);
  // The website learns nothing about the scanner unless the app allows it.
  expect(await scanned).toEqual({ random: qr.random, status: 1, version: 1, userInfo: {} });

  const confirmed = waitFor(browser, EVENTS.confirmed);
  expect(await confirm(http, phone.token, qr.random)).toEqual({ random: qr.random, status: 2 });
  const push = await confirmed;
  expect(push).toEqual({ random: qr.random, status: 2, version: 2, ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  expect(pushes.map((p) => p.event)).toEqual([EVENTS.scanned, EVENTS.confirmed]);

  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket: push.ticket }, { 'x-qrlogin-secret': qr.secret }));
  expect(user).toMatchObject({ id: phone.user.id, username: phone.user.username, nickname: 'Alice', token: expect.any(String) });
  expect(Date.parse(user.tokenExpiredAt)).toBeGreaterThan(Date.now());

  const discovery = (await (await fetch(`${server.url}${API.openidConfiguration}`)).json()) as { issuer: string; jwks_uri: string };
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(user.token, jwks, { issuer: discovery.issuer, audience: 'demo' });
  expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: server.app.keys.current.kid });
  expect(payload).toMatchObject({
    sub: phone.user.id,
    aud: 'demo',
    amr: ['qr'],
    nickname: 'Alice',
    preferred_username: phone.user.username,
  });
  expect(typeof payload.jti).toBe('string');
  expect(payload.exp! - payload.iat!).toBe(server.config.idTokenTtlSeconds);
});

test('qr:create over the socket answers the gene data and subscribes the socket already', async () => {
  const phone = await registerUser(http);
  const browser = await connect(server.url);
  const ack = await browser.emitWithAck(EVENTS.create, { customData: { cart: 42 } });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  expect(ack.data.qrcode).toContain('"customData":{"cart":42}');
  expect(ack.data.qrcode).not.toContain(ack.data.secret);
  const scanned = waitFor(browser, EVENTS.scanned);
  await scan(http, phone.token, ack.data.random);
  expect((await scanned).version).toBe(1);
});

test('a second namespace connect on one Engine.IO connection is served like the first (no crash)', async () => {
  // Socket.IO packets by hand over Engine.IO: 0 = connect to "/", 1 = disconnect from it. A
  // client may connect, leave and connect again on one connection; each connect must work.
  const engine = new EngineSocket(server.url, { path: '/socket.io/', transports: ['websocket'] });
  const messages: string[] = [];
  engine.on('message', (data) => messages.push(String(data)));
  await new Promise<void>((resolve, reject) => {
    engine.once('open', () => resolve());
    engine.once('error', reject);
  });
  const connects = () => messages.filter((message) => message.startsWith('0{')).length;
  engine.send('0');
  await waitUntil(() => connects() === 1);
  // The connect's answer names the server-side socket: 0{"sid":"…"}.
  const first = messages.find((message) => message.startsWith('0{')) ?? '';
  const { sid } = JSON.parse(first.slice(1)) as { sid: string };
  expect(server.app.io.of('/').sockets.has(sid)).toBe(true);
  engine.send('1');
  // Let the server finish the disconnect before the next connect (a connect to a namespace it
  // still holds for this connection is an invalid state that closes the connection).
  await waitUntil(() => !server.app.io.of('/').sockets.has(sid));
  engine.send('0');
  await waitUntil(() => connects() === 2).catch((error: unknown) => {
    throw new Error(`${String(error)}; received ${JSON.stringify(messages)}`);
  });
  // 2 = an event, here with ack id 0; its ack comes back as 30.
  engine.send(`20${JSON.stringify([EVENTS.create, {}])}`);
  await waitUntil(() => messages.some((message) => message.startsWith('30[{"ok":true')));
  engine.close();
  // The server still serves everyone else.
  expect((await gene(http)).random).toEqual(expect.any(String));
});

test('polling: check shows the status to anyone but the ticket and user only with the secret (header or cookie)', async () => {
  const phone = await registerUser(http);
  const response = await http.post<GeneData>(API.gene, {});
  const qr = dataOf(response);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  expect(cookie).toBe(`qrlogin_${qr.random}=${qr.secret}`);

  const check = async (headers: Record<string, string> = {}) =>
    dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, headers));
  expect(await check()).toMatchObject({ status: 0, ticket: null, version: 0 });
  await scan(http, phone.token, qr.random);
  expect(await check()).toMatchObject({ status: 1, ticket: null, scannedUserId: null, userInfo: {}, version: 1 });
  await confirm(http, phone.token, qr.random);

  const observer = await check();
  expect(observer).toMatchObject({ status: 2, ticket: null, scannedUserId: null, version: 2 });
  expect(await check({ 'x-qrlogin-secret': 'wrong-secret' })).toMatchObject({ status: 2, ticket: null });
  const holder = await check({ 'x-qrlogin-secret': qr.secret });
  expect(holder).toMatchObject({ status: 2, ticket: expect.any(String), scannedUserId: phone.user.id });
  const byCookie = await check({ cookie: cookie ?? '' });
  expect(byCookie.ticket).toBe(holder.ticket);

  // The cookie also proves the secret for the exchange (what a credentialed browser sends).
  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket: holder.ticket }, { cookie: cookie ?? '' }));
  expect(user.id).toBe(phone.user.id);
});

test('cancel pushes qr:cancelled; nothing can be done with the QR afterwards', async () => {
  const phone = await registerUser(http);
  const qr = await gene(http);
  const browser = await connect(server.url);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  await scan(http, phone.token, qr.random);
  const cancelled = waitFor(browser, EVENTS.cancelled);
  expect(dataOf(await http.post(API.cancel, { random: qr.random }, bearer(phone.token)))).toEqual({ random: qr.random, status: 3 });
  expect(await cancelled).toEqual({ random: qr.random, status: 3, version: 2 });
  expect((await http.post(API.confirm, { random: qr.random }, bearer(phone.token))).body.code).toBe(2243);
  expect(dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`))).toMatchObject({ status: 3, ticket: null });
});

test('only the user who scanned may confirm or cancel; a second scanner is refused', async () => {
  const alice = await registerUser(http, 'Alice');
  const mallory = await registerUser(http, 'Mallory');
  const qr = await gene(http);
  await scan(http, alice.token, qr.random);
  // A repeated scan by the same user is a no-op with the same answer.
  expect((await scan(http, alice.token, qr.random)).status).toBe(1);
  for (const path of [API.scanned, API.confirm, API.cancel]) {
    const refused = await http.post(path, { random: qr.random }, bearer(mallory.token));
    expect({ path, code: refused.body.code, data: refused.body.data }).toEqual({
      path,
      code: 2243,
      data: { reason: 'scanned_by_another_user' },
    });
  }
  expect(dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`))).toMatchObject({ status: 1, version: 1 });
  expect((await http.post(API.confirm, { random: qr.random }, bearer(alice.token))).body.code).toBe(200);
});

test('a ticket works once; refused attempts do not use it up', async () => {
  const phone = await registerUser(http);
  const qr = await gene(http);
  const browser = await connect(server.url);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = await confirmed;

  const attempt = (headers: Record<string, string>) => http.post<UserInfoData>(API.userinfo, { ticket }, headers);
  expect((await attempt({})).body.code).toBe(2245); // no credential
  expect((await attempt({ 'x-qrlogin-secret': 'not-the-secret' })).body.code).toBe(2245);
  expect((await attempt({ authorization: 'Bearer not-the-app-secret', 'x-qrlogin-secret': qr.secret })).body.code).toBe(401);
  expect((await attempt({ 'x-authing-app-id': 'other-app', 'x-qrlogin-secret': qr.secret })).body.code).toBe(2244);

  const first = await attempt({ authorization: `Bearer ${server.demoAppSecret}` }); // server-side exchange
  expect(dataOf(first).id).toBe(phone.user.id);
  const replay = await attempt({ 'x-qrlogin-secret': qr.secret });
  expect(replay.body).toEqual({ code: 2244, message: expect.any(String), data: null });
});

test('subscribe refuses a wrong or missing secret, unknown QRs and malformed payloads, and sends such sockets nothing', async () => {
  const phone = await registerUser(http);
  const qr = await gene(http);
  const intruder = await connect(server.url);
  const pushes = recordPushes(intruder);
  const cases: [unknown, number][] = [
    [{ random: qr.random, secret: 'wrong' }, 2245],
    [{ random: qr.random, secret: '' }, 2245],
    [{ random: qr.random }, 400],
    [{ random: 'does-not-exist-0000000000', secret: qr.secret }, 2241],
    [{ random: 42, secret: qr.secret }, 400],
    ['just a string', 400],
    [null, 400],
    [[qr.random, qr.secret], 400],
  ];
  for (const [payload, code] of cases) {
    const ack = await intruder.emitWithAck(EVENTS.subscribe, payload as never);
    expect({ payload, ack }).toEqual({ payload, ack: { ok: false, error: { code, message: expect.any(String) } } });
  }
  // An emit without an ack is ignored, not fatal.
  (intruder as unknown as { emit(event: string, payload: unknown): void }).emit(EVENTS.subscribe, { random: qr.random, secret: qr.secret });

  const owner = await connect(server.url);
  await owner.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  const ownerScanned = waitFor(owner, EVENTS.scanned);
  await scan(http, phone.token, qr.random);
  await ownerScanned;
  // Pushes are delivered in order per connection; a round trip on the intruder's connection
  // after the owner got its push shows the intruder was not sent one.
  await intruder.emitWithAck(EVENTS.unsubscribe, { random: qr.random });
  expect(pushes).toEqual([]);
});

test('a browser that reconnects re-subscribes and finds the confirmation it missed in the snapshot', async () => {
  const phone = await registerUser(http);
  const qr = await gene(http);
  const first = await connect(server.url);
  await first.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  first.disconnect();
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);

  const again = await connect(server.url);
  const ack = await again.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  const snapshot: QrSnapshot = ack.data;
  expect(snapshot).toMatchObject({ status: 2, version: 2, ticket: expect.any(String) });
  expect(dataOf(await http.post<UserInfoData>(API.userinfo, { ticket: snapshot.ticket }, { 'x-qrlogin-secret': qr.secret })).id).toBe(
    phone.user.id,
  );
});

test('50 concurrent confirms and cancels: exactly one wins, the others get 2243, one ticket exists', async () => {
  const phone = await registerUser(http);
  const qr = await gene(http);
  await scan(http, phone.token, qr.random);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => http.post(i % 2 ? API.cancel : API.confirm, { random: qr.random }, bearer(phone.token))),
  );
  const codes = results.map((r) => r.body.code);
  expect(codes.filter((c) => c === 200)).toHaveLength(1);
  expect(codes.filter((c) => c === 2243)).toHaveLength(49);
  const final = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  expect(final.version).toBe(2);
  expect([2, 3]).toContain(final.status);
  expect(final.ticket === null).toBe(final.status === 3);
});

test('a full flow writes no secret, ticket or token to the logs', async () => {
  const phone = await registerUser(http);
  const qr = await gene(http);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const { ticket } = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret }));
  await http.post(API.userinfo, { ticket }, { authorization: 'Bearer wrong' });
  const logs = server.logs.join('\n');
  expect(logs).toContain(qr.random); // the flow was logged…
  for (const credential of [qr.secret, ticket ?? 'missing', user.token, phone.token, 'correct horse battery', server.demoAppSecret]) {
    expect(logs).not.toContain(credential); // …without its credentials
  }
});

test('scanned tells the phone whether the browser asking is on its network (the browser behind a proxy elsewhere: no)', async () => {
  const phone = await registerUser(http);
  // The browser's request arrives through a trusted (loopback) proxy from another address.
  const far = await gene(http, { 'x-forwarded-for': '203.0.113.9' });
  const farScan = await scan(http, phone.token, far.random);
  expect(farScan.requester.ip).toBe('203.0.113.9');
  expect(farScan.sameNetwork).toBe(false);
  // The phone behind the same public address as the browser: yes.
  const near = await gene(http, { 'x-forwarded-for': '203.0.113.9' });
  const nearScan = dataOf(
    await http.post<ScannedData>(API.scanned, { random: near.random }, { ...bearer(phone.token), 'x-forwarded-for': '203.0.113.9' }),
  );
  expect(nearScan.sameNetwork).toBe(true);
});
