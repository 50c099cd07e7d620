/**
 * One account holds at most MAX_PENDING_SCANS QR codes scanned and undecided: on the memory
 * store and on Redis (shared by instances).
 */
import { MAX_PENDING_SCANS } from '../../server/services/qr-login';
import { API } from '../../shared/http';
import { api } from '../helpers/api';
import { type Cluster, startCluster } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { startServer } from '../helpers/server';
import { movableClock } from '../helpers/time';

describe.each(['memory', 'redis'] as const)('on %s', (backend) => {
  let urls: string[];
  let close: () => Promise<void>;

  beforeEach(async () => {
    if (backend === 'memory') {
      const server = await startServer();
      urls = [server.url];
      close = () => server.close();
    } else {
      const cluster: Cluster = await startCluster(2);
      urls = cluster.servers.map((s) => s.url);
      close = () => cluster.close();
    }
  });
  afterEach(() => close());

  const at = (i: number) => api(urls[i % urls.length] ?? '');

  test(`a user may hold ${MAX_PENDING_SCANS} scans open; the next is refused until one is decided; others are unaffected`, async () => {
    const phone = await registerUser(at(0));
    const qrs = [];
    for (let i = 0; i < MAX_PENDING_SCANS; i += 1) {
      const qr = await gene(at(i));
      await scan(at(i + 1), phone.token, qr.random);
      qrs.push(qr);
    }
    const extra = await gene(at(0));
    const refused = await at(1).post(API.scanned, { random: extra.random }, bearer(phone.token));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ code: 429, message: expect.stringMatching(/not yet confirmed or cancelled/), data: null });
    expect(refused.headers.get('retry-after')).toBe('10');

    // Repeating a scan it already holds is still fine.
    expect((await at(0).post(API.scanned, { random: qrs[0]!.random }, bearer(phone.token))).body.code).toBe(200);
    // Another user is not affected.
    const other = await registerUser(at(0));
    expect((await at(0).post(API.scanned, { random: extra.random }, bearer(other.token))).body.code).toBe(200);

    // Deciding frees a place: confirm one, cancel another.
    await confirm(at(0), phone.token, qrs[0]!.random);
    await at(1).post(API.cancel, { random: qrs[1]!.random }, bearer(phone.token));
    for (let i = 0; i < 2; i += 1) {
      const qr = await gene(at(i));
      expect((await at(i).post(API.scanned, { random: qr.random }, bearer(phone.token))).body.code).toBe(200);
    }
    const again = await gene(at(0));
    expect((await at(0).post(API.scanned, { random: again.random }, bearer(phone.token))).body.code).toBe(429);
  });

  test(`20 scans in parallel over the instances: exactly ${MAX_PENDING_SCANS} are accepted`, async () => {
    const phone = await registerUser(at(0));
    const qrs = await Promise.all(Array.from({ length: 20 }, (_, i) => gene(at(i))));
    const answers = await Promise.all(qrs.map((qr, i) => at(i + 1).post(API.scanned, { random: qr.random }, bearer(phone.token))));
    expect(answers.filter((answer) => answer.body.code === 200)).toHaveLength(MAX_PENDING_SCANS);
    expect(answers.filter((answer) => answer.body.code === 429)).toHaveLength(20 - MAX_PENDING_SCANS);
  });
});

test('scans that expired undecided stop counting', async () => {
  const clock = movableClock();
  const server = await startServer({ deps: { now: clock.now } });
  try {
    const http = api(server.url);
    const phone = await registerUser(http);
    const held = [];
    for (let i = 0; i < MAX_PENDING_SCANS; i += 1) held.push(await gene(http));
    for (const qr of held) await scan(http, phone.token, qr.random);
    expect((await http.post(API.scanned, { random: (await gene(http)).random }, bearer(phone.token))).body.code).toBe(429);
    // 1 ms before their deadline they still count; at it they stop.
    const deadline = Date.parse(held[0]?.expireAt ?? '');
    clock.set(deadline - 1);
    expect((await http.post(API.scanned, { random: (await gene(http)).random }, bearer(phone.token))).body.code).toBe(429);
    clock.set(deadline);
    expect((await http.post(API.scanned, { random: (await gene(http)).random }, bearer(phone.token))).body.code).toBe(200);
  } finally {
    await server.close();
  }
});
