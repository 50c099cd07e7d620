/**
 * The built server as `npm start` runs it, one process per instance: the durable embedded
 * default survives `kill -9` (no shutdown code runs), one process per DATA_DIR, clear start-up
 * errors, the start lines (store, address, the demo secret instances sharing Redis agree on).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { API, type CheckData, type MeData, type SessionData, type UserInfoData } from '../../shared/http';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type ServerProcess, failedStart, spawnServer } from '../helpers/process-server';
import { closeAllSockets, connect } from '../helpers/sockets';
import { sleep } from '../helpers/time';

const DEMO_SECRET = 'durability-demo-app-secret-0123';
const folders: string[] = [];
const running: ServerProcess[] = [];
const freshFolder = () => {
  const path = mkdtempSync(join(tmpdir(), 'qrlogin-durable-'));
  folders.push(path);
  return path;
};

afterEach(async () => {
  closeAllSockets();
  await Promise.all(running.splice(0).map((server) => server.kill9()));
});
afterAll(() => {
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

async function start(dataDir: string, port?: number): Promise<ServerProcess> {
  const server = await spawnServer({ env: { DATA_DIR: dataDir, QRLOGIN_DEMO_APP_SECRET: DEMO_SECRET }, ...(port ? { port } : {}) });
  running.push(server);
  return server;
}

/** The JSON lines the server has written so far (its stderr's lines are not JSON). */
function entriesOf(server: ServerProcess): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return []; // a line still being written
      }
    });
}

const checkWith = (url: string, random: string, secret: string) =>
  api(url).get<CheckData>(`${API.check}?random=${random}`, { 'x-qrlogin-secret': secret });

test('after kill -9 and a restart on the same DATA_DIR: the account, the phone token, the key and a confirmed ticket are all there', async () => {
  const dataDir = join(freshFolder(), 'data');
  const before = await start(dataDir);
  expect(entriesOf(before)).toContainEqual(
    expect.objectContaining({ level: 'info', msg: 'store: embedded, durable', store: 'embedded', location: dataDir }),
  );
  const http = api(before.url);

  const phone = await registerUser(http, 'Durable Dora');
  const confirmedQr = await gene(http);
  await scan(http, phone.token, confirmedQr.random);
  await confirm(http, phone.token, confirmedQr.random);
  // Mid-login at the crash: scanned, not yet approved.
  const pendingQr = await gene(http);
  await scan(http, phone.token, pendingQr.random);
  const { ticket } = dataOf(await checkWith(before.url, confirmedQr.random, confirmedQr.secret));
  if (!ticket) throw new Error('no ticket before the crash');
  const kidBefore = decodeProtectedHeader(phone.token).kid;

  await before.kill9();
  const after = await start(dataDir, before.port);
  const again = api(after.url);

  // The account: its password works, and the phone's token was not logged out.
  const username = phone.user.username;
  const login = dataOf(await again.post<SessionData>(API.login, { username, password: 'correct horse battery' }));
  expect(login.user.id).toBe(phone.user.id);
  expect(dataOf(await again.get<MeData>(API.me, bearer(phone.token))).user).toMatchObject({ id: phone.user.id, nickname: 'Durable Dora' });

  // The same signing key: the same kid is published, and new tokens carry it.
  const jwks = (await (await fetch(`${after.url}${API.jwks}`)).json()) as { keys: { kid: string }[] };
  expect(jwks.keys.map((key) => key.kid)).toContain(kidBefore);
  expect(decodeProtectedHeader(login.token).kid).toBe(kidBefore);

  // The confirmed QR's ticket is redeemable once, and its ID token verifies with the JWKS.
  const redeemed = dataOf(await again.post<UserInfoData>(API.userinfo, { ticket }, { authorization: `Bearer ${DEMO_SECRET}` }));
  expect(redeemed.id).toBe(phone.user.id);
  const { payload } = await jwtVerify(redeemed.token, createLocalJWKSet(jwks as never), { issuer: after.url, audience: 'demo' });
  expect(payload.sub).toBe(phone.user.id);
  expect((await again.post(API.userinfo, { ticket }, { authorization: `Bearer ${DEMO_SECRET}` })).body.code).toBe(2244);

  // The QR scanned before the crash: the browser reconnects, subscribes again, and the
  // phone's approval after the restart reaches it with its ticket.
  const browser = await connect(after.url);
  const snapshot = await browser.emitWithAck('qr:subscribe', { random: pendingQr.random, secret: pendingQr.secret });
  expect(snapshot).toMatchObject({ ok: true, data: { status: QR_STATUS.SCANNED } });
  const pushed = new Promise<{ ticket: string }>((resolve) => browser.once('qr:confirmed', resolve));
  await confirm(again, phone.token, pendingQr.random);
  const late = await pushed;
  const lateUser = dataOf(
    await again.post<UserInfoData>(API.userinfo, { ticket: late.ticket }, { authorization: `Bearer ${DEMO_SECRET}` }),
  );
  expect(lateUser.id).toBe(phone.user.id);
});

test('a second server on the same DATA_DIR refuses to start, naming the folder and the first one', async () => {
  const dataDir = freshFolder();
  const first = await start(dataDir);
  const second = await failedStart({ env: { DATA_DIR: dataDir } });
  expect(second.code).toBe(1);
  expect(second.output).toContain(`DATA_DIR ${dataDir} is in use by another qrlogin process (pid ${first.child.pid})`);
  expect(second.output).not.toMatch(/\n\s+at /);
  // The first is untouched.
  expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
});

test('of four servers started together on a folder a killed one left locked, exactly one starts; the others say why', async () => {
  const dataDir = freshFolder();
  const killed = await start(dataDir);
  await killed.kill9();
  const attempts = await Promise.allSettled(Array.from({ length: 4 }, () => start(dataDir)));
  const started = attempts.filter((attempt) => attempt.status === 'fulfilled');
  const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [String(attempt.reason)] : []));
  expect(started).toHaveLength(1);
  expect(refused).toHaveLength(3);
  for (const reason of refused) expect(reason).toContain(`DATA_DIR ${dataDir} is in use by another qrlogin process`);
});

test('a DATA_DIR that cannot be written is a start-up error naming it', async () => {
  const parent = freshFolder();
  const dataDir = join(parent, 'read-only');
  mkdirSync(dataDir, { mode: 0o555 });
  // Root may write anywhere: the server runs as `nobody` then, as a container's user would.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { chmodSync } = await import('node:fs');
    chmodSync(parent, 0o755);
  }
  const result = await failedStart({ env: { DATA_DIR: dataDir }, ...(asRoot ? { uid: 65534 } : {}) });
  expect(result.code).toBe(1);
  expect(result.output).toContain(`DATA_DIR ${dataDir} cannot be used (EACCES)`);
  expect(result.output).not.toMatch(/\n\s+at /);
});

test('STORE=memory keeps nothing in DATA_DIR and says so', async () => {
  const dataDir = join(freshFolder(), 'unused');
  const server = await spawnServer({ env: { STORE: 'memory', DATA_DIR: dataDir } });
  running.push(server);
  expect(entriesOf(server)).toContainEqual(
    expect.objectContaining({ msg: 'store: memory, lost on restart (STORE=memory)', store: 'memory' }),
  );
  const { existsSync } = await import('node:fs');
  expect(existsSync(dataDir)).toBe(false);
});

test('the listening line names the port the server really listens on (PORT=0 picks a free one)', async () => {
  const server = await spawnServer({ env: { PORT: '0', STORE: 'memory', PUBLIC_URL: 'http://login.example.test' } });
  running.push(server);
  const listening = entriesOf(server).find((entry) => entry.msg === 'qrlogin listening');
  expect(listening).toMatchObject({
    level: 'info',
    url: 'http://login.example.test',
    listening: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
  });
  const port = Number(String(listening?.listening).split(':')[1]);
  expect(port).toBeGreaterThan(0);
  expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
});

test('instances sharing Redis without QRLOGIN_DEMO_APP_SECRET print and accept one demo secret', async () => {
  const prefix = `qrlogin-test:demo-secret:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
  const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix };
  const a = await spawnServer({ env });
  running.push(a);
  const b = await spawnServer({ env });
  running.push(b);
  // The secret's line is written just after the "listening" line the start waits for: read
  // it once it has arrived (at most 5 s).
  const secretOf = async (server: ServerProcess) => {
    const end = Date.now() + 5_000;
    const shown = () => entriesOf(server).find((entry) => entry.appId === 'demo' && typeof entry.demoAppSecret === 'string');
    while (!shown() && Date.now() < end) await sleep(20);
    expect(shown()).toMatchObject({ level: 'warn', msg: expect.stringContaining('QRLOGIN_DEMO_APP_SECRET') });
    return shown()?.demoAppSecret as string | undefined;
  };
  const secret = await secretOf(a);
  expect(secret).toBeDefined();
  expect(await secretOf(b)).toBe(secret);

  // A ticket of a QR made on A is exchanged on B with that secret (the backend's path).
  const onA = api(a.url);
  const phone = await registerUser(onA);
  const qr = await gene(onA);
  await scan(onA, phone.token, qr.random);
  await confirm(onA, phone.token, qr.random);
  const { ticket } = dataOf(await checkWith(a.url, qr.random, qr.secret));
  const onB = await api(b.url).post<UserInfoData>(API.userinfo, { ticket }, { authorization: `Bearer ${secret ?? ''}` });
  expect(dataOf(onB).id).toBe(phone.user.id);

  const { createClient } = await import('redis');
  const redis = createClient({ url: env.REDIS_URL });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await redis.del(keys);
  await redis.close();
});
