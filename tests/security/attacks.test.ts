/**
 * One test per attack on QR-code login (the flaw classes of the 2025 USENIX Security study,
 * plus ticket theft, replay, brute force and log leaks). Each is listed in the README's
 * "Security" table: attack → defence → this test.
 */
import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from '../../server/config';
import { MAX_PENDING_SCANS } from '../../server/services/qr-login';
import { API, type CheckData, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { sentinelPush, sentinelScanned } from '../helpers/sentinel';
import { closeAllSockets, connect, recordPushes, waitFor } from '../helpers/sockets';
import { movableClock } from '../helpers/time';

let server: TestServer;
const http = () => api(server.url);

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMITS: 'check=30/60,userinfo=30/60' } });
});

afterAll(async () => {
  closeAllSockets();
  await server.close();
});

/** A phone user, and a QR whose browser socket is subscribed to it. */
async function subscribedQr(nickname: string) {
  const phone = await registerUser(http(), nickname);
  const qr = await gene(http());
  const browser = await connect(server.url);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  return { phone, qr, browser };
}

/** A confirmed QR: its browser secret, the ticket pushed to the browser, the phone user. */
async function confirmedQr() {
  const { phone, qr, browser } = await subscribedQr('Victim');
  const pushed = waitFor(browser, EVENTS.confirmed);
  await scan(http(), phone.token, qr.random);
  await confirm(http(), phone.token, qr.random);
  return { qr, phone, ticket: (await pushed).ticket };
}

test('an observer who saw the QR (the random alone) polls check: status only, never the ticket', async () => {
  const { qr, ticket } = await confirmedQr();
  const variants: Record<string, string>[] = [{}, { 'x-qrlogin-secret': 'x'.repeat(43) }];
  for (const extra of variants) {
    const observed = await http().get<CheckData>(`${API.check}?random=${qr.random}`, extra);
    // The status is public (a polling SDK may show it); the ticket only goes with the secret.
    expect(observed.body).toMatchObject({ code: 200, data: { status: QR_STATUS.CONFIRMED, ticket: null } });
    expect(JSON.stringify(observed.body)).not.toContain(ticket);
  }
  const owner = dataOf(await http().get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  expect(owner.ticket).toBe(ticket);
});

test('subscribe without or with a wrong secret is refused, and such a socket hears nothing', async () => {
  const phone = await registerUser(http());
  const qr = await gene(http());
  const intruder = await connect(server.url);
  const heard = recordPushes(intruder);
  for (const payload of [{ random: qr.random }, { random: qr.random, secret: 'guess'.repeat(9) }]) {
    const ack = await intruder.emitWithAck(EVENTS.subscribe, payload as never);
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: expect.any(Number) }) });
  }
  await scan(http(), phone.token, qr.random);
  await confirm(http(), phone.token, qr.random);
  // A push the intruder may hear, sent after the scan and confirm: once it is in, anything
  // sent before it would be too.
  const sentinel = await sentinelPush(intruder, heard, { create: http(), scan: http(), token: phone.token });
  expect(heard).toEqual([sentinelScanned(sentinel)]);
});

test('a client-chosen id is never adopted: the server picks every id', async () => {
  const chosen = 'attackerChosenId0000AA';
  const qr = dataOf(await http().post<{ random: string }>(API.gene, { random: chosen, id: chosen, qrcodeId: chosen }));
  expect(qr.random).not.toBe(chosen);
  expect((await http().get(`${API.check}?random=${chosen}`)).body.code).toBe(2241);
  const socket = await connect(server.url);
  const created = await socket.emitWithAck(EVENTS.create, { random: chosen } as never);
  expect(created).toMatchObject({ ok: true });
  if (created.ok) expect(created.data.random).not.toBe(chosen);
});

test('ids and secrets are unguessable: random 128 bits, secret and ticket 256 bits, all distinct', async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20; i += 1) {
    const qr = await gene(http());
    expect(Buffer.from(qr.random, 'base64url')).toHaveLength(16);
    expect(Buffer.from(qr.secret, 'base64url')).toHaveLength(32);
    seen.add(qr.random);
  }
  expect(seen.size).toBe(20);
  const { ticket } = await confirmedQr();
  expect(Buffer.from(ticket, 'base64url')).toHaveLength(32);
});

test('a QR cannot be reused: once confirmed (or cancelled) no scan, confirm or cancel works again', async () => {
  const { qr, phone } = await confirmedQr();
  const other = await registerUser(http());
  for (const [path, token] of [
    [API.scanned, other.token],
    [API.scanned, phone.token],
    [API.confirm, phone.token],
    [API.cancel, phone.token],
  ] as const) {
    expect((await http().post(path, { random: qr.random }, bearer(token))).body.code).toBe(2243);
  }
});

test('a replayed ticket is refused (single use, atomic)', async () => {
  const { qr, ticket } = await confirmedQr();
  const first = await http().post<UserInfoData>(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret });
  expect(first.body.code).toBe(200);
  const replays = await Promise.all(Array.from({ length: 5 }, () => http().post(API.userinfo, { ticket }, bearer(server.demoAppSecret))));
  for (const replay of replays) expect(replay.body.code).toBe(2244);
});

test('a stolen ticket without the browser secret or the app secret is refused, and stays usable by its owner', async () => {
  const { qr, ticket } = await confirmedQr();
  const other = await gene(http());
  expect((await http().post(API.userinfo, { ticket })).body.code).toBe(2245);
  expect((await http().post(API.userinfo, { ticket }, { 'x-qrlogin-secret': other.secret })).body.code).toBe(2245);
  expect((await http().post(API.userinfo, { ticket }, bearer('not-the-app-secret-at-all'))).body.code).toBe(401);
  expect((await http().post(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret })).body.code).toBe(200);
});

test('confirm by another user than the scanner is refused; the identity comes from the token only', async () => {
  const [alice, mallory] = [await registerUser(http()), await registerUser(http())];
  const qr = await gene(http());
  await scan(http(), alice.token, qr.random);
  expect((await http().post(API.confirm, { random: qr.random }, bearer(mallory.token))).body.code).toBe(2243);
  expect((await http().post(API.cancel, { random: qr.random }, bearer(mallory.token))).body.code).toBe(2243);
  // A user id in the body is ignored, and no token means no identity.
  expect((await http().post(API.confirm, { random: qr.random, userId: alice.user.id })).body.code).toBe(2020);
  expect((await http().post(API.confirm, { random: qr.random, userId: alice.user.id }, bearer(mallory.token))).body.code).toBe(2243);
  expect(await confirm(http(), alice.token, qr.random)).toMatchObject({ status: QR_STATUS.CONFIRMED });
});

test('the scanner’s identity is not leaked to the website before confirmation (showScannerOnWeb off)', async () => {
  const { phone, qr, browser } = await subscribedQr('Secret Agent');
  const scanned = waitFor(browser, EVENTS.scanned);
  await scan(http(), phone.token, qr.random);
  expect((await scanned).userInfo).toEqual({});
  const check = dataOf(await http().get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  expect(JSON.stringify(check)).not.toContain('Secret Agent');
  expect(JSON.stringify(check)).not.toContain(phone.user.id);
});

test('confirm after expiry is refused', async () => {
  const clock = movableClock();
  const short = await startServer({ deps: { now: clock.now } });
  try {
    const phone = await registerUser(api(short.url));
    const qr = await gene(api(short.url));
    await scan(api(short.url), phone.token, qr.random);
    // Exactly at expireAt the QR is over.
    clock.set(Date.parse(qr.expireAt));
    expect((await api(short.url).post(API.confirm, { random: qr.random }, bearer(phone.token))).body.code).toBe(2242);
  } finally {
    await short.close();
  }
});

test('brute force on check and userinfo gets 429', async () => {
  const guesses = async (path: string, body?: unknown) => {
    for (let i = 0; i < 40; i += 1) {
      const response =
        body === undefined
          ? await http().get(`${path}?random=g${i}AAAAAAAAAAAAAAAAAAAA`)
          : await http().post(path, { ticket: `guess-${i}-${'z'.repeat(40)}` });
      if (response.status === 429) return i;
    }
    return -1;
  };
  // Earlier tests used part of the per-IP budget; either way the limit is reached within 40.
  expect(await guesses(API.check)).toBeGreaterThanOrEqual(0);
  expect(await guesses(API.userinfo, {})).toBeGreaterThanOrEqual(0);
});

test('a full flow writes no secret, ticket, password or token to any log line', async () => {
  const quiet = await startServer({ env: { LOG_LEVEL: 'debug' } });
  try {
    const password = 'correct horse battery staple 42';
    const username = `logcheck${Date.now()}`;
    const registered = dataOf(await api(quiet.url).post<{ token: string }>(API.register, { username, password, nickname: 'Log' }));
    const loggedIn = dataOf(await api(quiet.url).post<{ token: string }>(API.login, { username, password }));
    await api(quiet.url).post(API.login, { username, password: 'wrong but secret password' });
    const browser = await connect(quiet.url);
    // Created over the socket this time (the HTTP path is covered by the other tests' logs).
    const created = await browser.emitWithAck(EVENTS.create, {});
    if (!created.ok) throw new Error(JSON.stringify(created));
    const qr = created.data;
    // Invalid input logs nothing of what was sent either.
    await api(quiet.url).post(API.confirm, { random: qr.secret }, bearer(loggedIn.token));
    await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: `${qr.secret}x` });
    const pushed = waitFor(browser, EVENTS.confirmed);
    await scan(api(quiet.url), loggedIn.token, qr.random);
    await confirm(api(quiet.url), loggedIn.token, qr.random);
    const { ticket } = await pushed;
    const user = dataOf(await api(quiet.url).post<UserInfoData>(API.userinfo, { ticket }, bearer(quiet.demoAppSecret)));
    await api(quiet.url).post(API.userinfo, { ticket }, bearer(quiet.demoAppSecret));
    const text = quiet.logs.join('\n');
    expect(quiet.logs.length).toBeGreaterThan(5);
    const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');
    for (const secret of [
      password,
      'wrong but secret password',
      registered.token,
      loggedIn.token,
      qr.secret,
      ticket,
      user.token,
      quiet.demoAppSecret,
      hashOf(ticket),
    ]) {
      expect(text).not.toContain(secret);
      for (const part of secret.split('.').filter((p) => p.length >= 16)) expect(text).not.toContain(part);
    }
  } finally {
    await quiet.close();
  }
});

test('one account holding many browsers’ logins open: parallel scans stop at the cap', async () => {
  const hoarder = await registerUser(http());
  const qrs = await Promise.all(Array.from({ length: 12 }, () => gene(http())));
  const answers = await Promise.all(qrs.map((qr) => http().post(API.scanned, { random: qr.random }, bearer(hoarder.token))));
  expect(answers.filter((answer) => answer.body.code === 200)).toHaveLength(MAX_PENDING_SCANS);
  expect(answers.filter((answer) => answer.status === 429)).toHaveLength(12 - MAX_PENDING_SCANS);
});

test('QRLJacking: the phone is told where the browser asking is, and whether it shares the phone’s network', async () => {
  const victim = await registerUser(http());
  // The attacker's browser, elsewhere, created the QR he relays to the victim.
  const relayed = await gene(http(), { 'x-forwarded-for': '198.51.100.66', origin: 'http://localhost:5173' });
  const shown = await scan(http(), victim.token, relayed.random);
  expect(shown).toMatchObject({
    app: { id: 'demo' },
    requester: { ip: '198.51.100.66', origin: 'http://localhost:5173' },
    sameNetwork: false,
  });
});

test('production refuses insecure defaults at start', () => {
  let error: unknown;
  try {
    loadConfig({ NODE_ENV: 'production', TRUST_PROXY: 'true' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems.join('\n')).toMatch(
    /SIGNING_KEY[\s\S]*APPS_FILE or APPS[\s\S]*TRUST_PROXY=true[\s\S]*ALLOW_REGISTRATION/,
  );
});

test('pages carry security headers (no framing, no sniffing, a strict CSP)', async () => {
  for (const page of ['/', '/mobile']) {
    const response = await fetch(`${server.url}${page}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
  }
});
