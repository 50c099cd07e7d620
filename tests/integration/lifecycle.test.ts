/**
 * Expiry at `expireAt`, origin checks at the socket handshake, and shutdown: sockets are
 * told by their transport closing (so they reconnect elsewhere) and the process exits 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { API, type CheckData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { api, dataOf } from '../helpers/api';
import { bearer, gene, registerUser, scan } from '../helpers/flow';
import { freePort } from '../helpers/redis-server';
import { ROOT, startServer } from '../helpers/server';
import { closeAllSockets, connect, recordPushes, waitFor } from '../helpers/sockets';
import { sleep } from '../helpers/time';

afterEach(() => closeAllSockets());

describe('expiry', () => {
  test('a QR expires at expireAt: qr:expired is pushed with the last version + 1 and every action gets 2242', async () => {
    const server = await startServer({ env: { QR_TTL_SECONDS: '1' } });
    try {
      const http = api(server.url);
      const phone = await registerUser(http);
      const qr = await gene(http);
      expect(qr.expiresIn).toBe(1);
      const browser = await connect(server.url);
      await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
      await scan(http, phone.token, qr.random); // version 1

      const expired = await waitFor(browser, EVENTS.expired, 4000);
      expect(expired).toEqual({ random: qr.random, status: -1, version: 2 });
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(qr.expireAt));

      expect(dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`))).toMatchObject({ status: -1, version: 2, ticket: null });
      for (const path of [API.scanned, API.confirm, API.cancel]) {
        expect((await http.post(path, { random: qr.random }, bearer(phone.token))).body.code).toBe(2242);
      }
      const ack = await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
      expect(ack).toMatchObject({ ok: true, data: { status: -1, version: 2 } });
      const image = await fetch(`${server.url}${API.qrImage}?random=${qr.random}`);
      expect(image.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  test('a QR confirmed in time gets no expiry push, and its ticket outlives expireAt', async () => {
    // Real timers decide here; the clock only dates a sentinel QR 300 ms later than the first.
    const shift = { ms: 0 };
    const server = await startServer({ env: { QR_TTL_SECONDS: '1' }, deps: { now: () => Date.now() + shift.ms } });
    try {
      const http = api(server.url);
      const phone = await registerUser(http);
      const qr = await gene(http);
      shift.ms = 300;
      const sentinel = await gene(http);
      shift.ms = 0;
      const browser = await connect(server.url);
      const pushes = recordPushes(browser);
      await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
      // Its expiry timer fires 300 ms after the first QR's: once its qr:expired is in, the first
      // QR's timer has fired and read the store too.
      await browser.emitWithAck(EVENTS.subscribe, { random: sentinel.random, secret: sentinel.secret });
      const sentinelExpired = waitFor(browser, EVENTS.expired, 5000);
      const confirmed = waitFor(browser, EVENTS.confirmed);
      await scan(http, phone.token, qr.random);
      await http.post(API.confirm, { random: qr.random }, bearer(phone.token));
      const { ticket } = await confirmed;
      expect(await sentinelExpired).toEqual({ random: sentinel.random, status: -1, version: 1 });
      expect(Date.now()).toBeGreaterThan(Date.parse(qr.expireAt));
      expect(pushes.map((p) => [p.event, (p.payload as { random: string }).random])).toEqual([
        [EVENTS.scanned, qr.random],
        [EVENTS.confirmed, qr.random],
        [EVENTS.expired, sentinel.random],
      ]);
      const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
      expect(check).toMatchObject({ status: 2, ticket });
      expect(dataOf(await http.post<{ id: string }>(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret })).id).toBe(phone.user.id);
    } finally {
      await server.close();
    }
  });
});

describe('origins', () => {
  test('a socket handshake from an origin no app allows is refused; allowed and absent origins connect', async () => {
    const server = await startServer();
    try {
      const refused = io(server.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { origin: 'https://evil.example' },
      });
      const error = await new Promise<Error>((resolve) => refused.once('connect_error', resolve));
      expect(error.message).toBeTruthy();
      expect(refused.connected).toBe(false);
      refused.close();

      const allowed = await connect(server.url, { extraHeaders: { origin: 'http://localhost:5173' } });
      expect(allowed.connected).toBe(true);
      const native = await connect(server.url);
      expect(native.connected).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('shutdown', () => {
  test('close() ends the transports: a client sees "transport close" and would reconnect', async () => {
    const server = await startServer();
    const browser = await connect(server.url);
    const reason = new Promise<string>((resolve) => browser.once('disconnect', resolve));
    await server.close();
    expect(await reason).toBe('transport close');
    // No longer listening: the request fails to connect (undici's TypeError "fetch failed").
    const ready = await fetch(`${server.url}/readyz`).then(
      (response) => `HTTP ${response.status}`,
      (error: unknown) => (error as Error).message,
    );
    expect(ready).toBe('fetch failed');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`the built server (npm start) serves, then exits 0 on ${signal}`, async () => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'qrlogin-lifecycle-'));
      const child = spawn(process.execPath, [join(ROOT, 'dist/server/index.js')], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          NODE_ENV: 'development',
          LOG_LEVEL: 'info',
          REDIS_URL: '',
          DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        const deadline = Date.now() + 10_000;
        while (!output.includes('qrlogin listening')) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start: ${output}`);
          await sleep(50);
        }
        const base = `http://127.0.0.1:${port}`;
        expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
        for (const page of ['/', '/mobile', '/sdk/qrlogin.js']) expect((await fetch(`${base}${page}`)).status).toBe(200);
        const browser = await connect(base);
        const reason = new Promise<string>((resolve) => browser.once('disconnect', resolve));
        const exited = once(child, 'exit');
        child.kill(signal);
        const [code] = await exited;
        expect(code).toBe(0);
        expect(await reason).toBe('transport close');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
