/**
 * The security review's findings 2, 3, 5–8 and 11 (1, 4, 9 and 10 have files of their own:
 * origin-policy, rate-limit-table, connection-caps, logout). Each test failed on the code the
 * review found and names its finding; the README's Security table lists them.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import QRCode from 'qrcode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';
import { API, type CheckData, type GeneData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import { type Cluster, startCluster } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { startThrowawayRedis } from '../helpers/redis-server';
import { ROOT, type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect } from '../helpers/sockets';

const SCANNER_APP = {
  id: 'faces',
  name: 'Shows faces',
  secret: 'faces-secret-0123456789',
  origins: ['https://faces.example'],
  showScannerOnWeb: true,
};
let server: TestServer;
const http = () => api(server.url);

beforeAll(async () => {
  server = await startServer({ env: { APPS: JSON.stringify([SCANNER_APP]) } });
});

afterAll(async () => {
  closeAllSockets();
  await server.close();
});

/** `[[[…]]]` nested `depth` deep (a few thousand at most: JSON.stringify recurses). */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('2. tickets not bound to the browser', () => {
  const PRODUCTION = { NODE_ENV: 'production', SIGNING_KEY_FILE: '/run/secrets/key.pem', ALLOW_REGISTRATION: 'false' };
  const legacy = {
    id: 'legacy',
    name: 'Legacy',
    secret: 'legacy-secret-0123456789',
    origins: ['https://legacy.example'],
    bindTicketToBrowser: false,
  };

  test('production refuses bindTicketToBrowser: false unless the app says insecureObserverTickets: true', () => {
    let error: unknown;
    try {
      loadConfig({ ...PRODUCTION, APPS: JSON.stringify([legacy]) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(
      /app "legacy" does not bind tickets[\s\S]*anyone who sees its QR code[\s\S]*insecureObserverTickets/,
    );
    const explicit = loadConfig({
      ...PRODUCTION,
      APPS: JSON.stringify([{ ...legacy, bindTicketToBrowser: undefined, insecureObserverTickets: true }]),
    });
    expect(explicit.config.apps[0]).toMatchObject({ id: 'legacy', bindTicketToBrowser: false });
    expect(explicit.warnings.join('\n')).toMatch(/app "legacy" does not bind tickets/);
  });

  test('development starts with a loud warning, and a contradiction is a configuration error', () => {
    expect(loadConfig({ APPS: JSON.stringify([legacy]) }).warnings.join('\n')).toMatch(
      /app "legacy" does not bind tickets to the browser: anyone who sees its QR code/,
    );
    expect(() => loadConfig({ APPS: JSON.stringify([{ ...legacy, bindTicketToBrowser: true, insecureObserverTickets: true }]) })).toThrow(
      /insecureObserverTickets: true contradicts bindTicketToBrowser: true/,
    );
  });
});

describe('3. the QR image', () => {
  test('an image is rendered once per QR however often it is asked for', async () => {
    const qr = await gene(http());
    const renders = jest.spyOn(QRCode, 'create');
    try {
      const images = await Promise.all([0, 1, 2].map(() => fetch(`${server.url}${API.qrImage}?random=${qr.random}`)));
      const bodies = await Promise.all(images.map(async (image) => Buffer.from(await image.arrayBuffer())));
      expect(images.map((image) => image.status)).toEqual([200, 200, 200]);
      expect(bodies[1]?.equals(bodies[0] ?? Buffer.alloc(0))).toBe(true);
      expect(renders).toHaveBeenCalledTimes(1);
    } finally {
      renders.mockRestore();
    }
  });

  test('the image route is rate limited per address', async () => {
    const limited = await startServer({ env: { RATE_LIMITS: 'image=2/60' } });
    try {
      const qr = await gene(api(limited.url));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${limited.url}${API.qrImage}?random=${qr.random}`)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  test('a store outage answers 503 (not 404); an unknown QR is still 404', async () => {
    const redis = await startThrowawayRedis();
    const cluster: Cluster = await startCluster(1, { url: redis.url, env: { RATE_LIMITS: 'image=off' } });
    try {
      const { url } = cluster.at(0);
      const qr = await gene(api(url));
      expect((await fetch(`${url}${API.qrImage}?random=unknownAAAAAAAAAAAAAAAA`)).status).toBe(404);
      await redis.kill();
      const during = await fetch(`${url}${API.qrImage}?random=${qr.random}`);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('1');
    } finally {
      await cluster.close().catch(() => undefined);
      await redis.dispose();
    }
  });
});

describe('5. the scanner on the web', () => {
  test('check shows the scanner (showScannerOnWeb) only to the caller that proves the secret', async () => {
    const phone = await registerUser(http(), 'Visible Face');
    const qr = await gene(http(), { 'x-authing-app-id': 'faces' });
    await scan(http(), phone.token, qr.random);
    const observer = dataOf(await http().get<CheckData>(`${API.check}?random=${qr.random}`));
    expect(observer.status).toBe(QR_STATUS.SCANNED);
    expect(observer.userInfo).toEqual({});
    const owner = dataOf(await http().get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
    expect(owner.userInfo).toMatchObject({ nickname: 'Visible Face' });
  });
});

describe('6. caching of answers that carry credentials', () => {
  test('gene, check, userinfo, login, register and errors are no-store and nosniff', async () => {
    const username = `nostore_${Date.now()}`;
    const registered = await http().post(API.register, { username, password: 'correct horse battery' });
    const phone = dataOf(registered) as { token: string };
    const created = await http().post<GeneData>(API.gene, {});
    const qr = dataOf(created);
    await scan(http(), phone.token, qr.random);
    await confirm(http(), phone.token, qr.random);
    const checked = await http().get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret });
    const userinfo = await http().post(API.userinfo, { ticket: dataOf(checked).ticket }, { 'x-qrlogin-secret': qr.secret });
    const login = await http().post(API.login, { username, password: 'correct horse battery' });
    const refused = await http().post(API.scanned, { random: qr.random }, bearer('not-a-token'));
    expect(dataOf(userinfo)).toMatchObject({ token: expect.any(String) });
    for (const answer of [registered, created, checked, userinfo, login, refused]) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('7. deeply nested JSON', () => {
  test('customData nested thousands deep inside the body limit is a 400 naming the field, never a 500', async () => {
    // Written as text: JSON.stringify itself cannot write it.
    const deep = `${'['.repeat(7_000)}${']'.repeat(7_000)}`;
    const answer = await http().raw(API.gene, `{"customData":{"deep":${deep}}}`);
    expect(answer.body).toEqual({ code: 400, message: expect.stringMatching(/customData.*nested at most 8 levels/), data: null });
    // The same over the socket, as a raw Socket.IO packet (an Engine.IO message): EVENT (2)
    // qr:create with ack id 7, answered by ACK (3) 7.
    const socket = await connect(server.url);
    const engine = socket.io.engine;
    const ack = new Promise<string>((resolve) => {
      engine.on('message', (data) => {
        if (typeof data === 'string' && data.startsWith('37')) resolve(data.slice(2));
      });
    });
    engine.write(`27["${EVENTS.create}",{"customData":{"deep":${deep}}}]`);
    expect(JSON.parse(await ack)).toEqual([{ ok: false, error: { code: 400, message: expect.stringMatching(/customData.*nested/) } }]);
    expect(server.logs.filter((line) => /"level":"error"/.test(line))).toEqual([]);
    // Nine levels are refused, eight pass.
    expect((await http().post(API.gene, { customData: { a: nested(8) } })).body.code).toBe(400);
    expect((await http().post(API.gene, { customData: { a: nested(7) } })).body.code).toBe(200);
  });

  test('on Redis, a QR created with a deeply nested context scans (it was 503 on every scan)', async () => {
    const cluster = await startCluster(1);
    try {
      const { url } = cluster.at(0);
      const created = await api(url).post<GeneData>(API.gene, { context: { deep: nested(1_500) } });
      const qr = dataOf(created);
      const phone = await registerUser(api(url));
      expect(await scan(api(url), phone.token, qr.random)).toMatchObject({ status: QR_STATUS.SCANNED });
    } finally {
      await cluster.close();
    }
  });
});

describe('8. context', () => {
  test('context is accepted (Authing sends it) but never kept', async () => {
    const context = { big: 'x'.repeat(15_000) };
    const qr = dataOf(await http().post<GeneData>(API.gene, { context }));
    const stored = await server.app.stores.qr.get(qr.random);
    expect(stored).not.toBeNull();
    expect(JSON.stringify(stored)).not.toContain('xxxxxxxxxx');
    expect(stored).not.toHaveProperty('context');
  });
});

describe('11. smaller points', () => {
  test('a failed login does not log what was typed as the username', async () => {
    // Short enough that the logger's scrubbing of long random strings would not hide it.
    const typed = 'Tr0ub4dor&3';
    expect((await http().post(API.login, { username: typed, password: 'whatever-else' })).body.code).toBe(2333);
    expect(server.logs.join('\n')).toMatch(/login failed/);
    expect(server.logs.join('\n')).not.toContain(typed);
  });

  test('production serves the web SDK but not the demo pages, unless DEMO_PAGES says so', async () => {
    const env = {
      NODE_ENV: 'production',
      SIGNING_KEY_FILE: '/run/secrets/unused.pem',
      ALLOW_REGISTRATION: 'false',
      APPS: JSON.stringify([{ ...SCANNER_APP, showScannerOnWeb: false }]),
    };
    const production = await startServer({ env });
    const enabled = await startServer({ env: { ...env, DEMO_PAGES: 'true' } });
    try {
      for (const page of ['/', '/mobile', '/index.html', '/mobile.html']) {
        expect((await fetch(`${production.url}${page}`)).status).toBe(404);
      }
      expect((await fetch(`${production.url}/sdk/qrlogin.js`)).status).toBe(200);
      for (const page of ['/', '/mobile']) expect((await fetch(`${enabled.url}${page}`)).status).toBe(200);
    } finally {
      await Promise.all([production.close(), enabled.close()]);
    }
  });

  test("a phone user token fails the README's ID-token verification (audience and typ)", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## How a backend verifies the ID token'));
    const snippet = section.slice(section.indexOf('```js'), section.indexOf('```', section.indexOf('```js') + 5));
    expect(snippet).toMatch(/audience:/);
    expect(snippet).toMatch(/typ: 'JWT'/);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const phone = await registerUser(http());
    const options = { issuer: server.config.issuer, algorithms: ['ES256'], typ: 'JWT' };
    // Even a relying party that forgot `audience` refuses it, by its typ.
    await expect(jwtVerify(phone.token, jwks, options)).rejects.toThrow(/typ/);
    await expect(jwtVerify(phone.token, jwks, { ...options, audience: 'demo' })).rejects.toThrow();
    // A real ID token passes the same options.
    const qr = await gene(http());
    await scan(http(), phone.token, qr.random);
    await confirm(http(), phone.token, qr.random);
    const { ticket } = dataOf(await http().get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
    const user = dataOf(await http().post<{ token: string }>(API.userinfo, { ticket }, { 'x-qrlogin-secret': qr.secret }));
    await expect(jwtVerify(user.token, jwks, { ...options, audience: 'demo' })).resolves.toMatchObject({ payload: { aud: 'demo' } });
  });
});
