/**
 * Number matching (apps with `numberMatching`): the browser shows a 2-digit code, the phone
 * picks it among three, confirm must carry it; wrong picks get 2243 and the third cancels.
 */
import { createHash } from 'node:crypto';
import { API, HEADERS, type GeneData, type ScannedData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { api, dataOf } from '../helpers/api';
import { bearer, registerUser } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect, recordPushes, waitFor, waitUntil } from '../helpers/sockets';

let server: TestServer;
const http = () => api(server.url);
const BANK = { [HEADERS.appId]: 'bank' };

beforeAll(async () => {
  const apps = [
    {
      id: 'bank',
      name: 'Bank',
      secretSha256: createHash('sha256').update('bank-secret-0123456789').digest('base64url'),
      origins: ['https://bank.example'],
      numberMatching: true,
    },
  ];
  // Many users and decisions from one address in a few seconds: lift those two limits.
  server = await startServer({ env: { APPS: JSON.stringify(apps), RATE_LIMITS: 'register=1000/3600,decide=1000/60' } });
});

afterAll(async () => {
  closeAllSockets();
  await server.close();
});

/** A bank QR created and subscribed by a browser, scanned by a fresh user. */
async function scannedBankQr() {
  const phone = await registerUser(http());
  const qr = dataOf(await http().post<GeneData>(API.gene, {}, BANK));
  const browser = await connect(server.url);
  const pushes = recordPushes(browser);
  const ack = await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  const scanned = dataOf(await http().post<ScannedData>(API.scanned, { random: qr.random }, bearer(phone.token)));
  return { phone, qr, browser, pushes, ack, scanned };
}

const decide = (random: string, token: string, matchCode?: string) =>
  http().post(API.confirm, { random, ...(matchCode === undefined ? {} : { matchCode }) }, bearer(token));

test('the browser gets the code (gene and snapshot), the phone three choices including it; the right pick confirms', async () => {
  const { phone, qr, browser, ack, scanned } = await scannedBankQr();
  expect(qr.matchCode).toMatch(/^\d{2}$/);
  expect(ack).toMatchObject({ ok: true, data: { matchCode: qr.matchCode } });
  expect(scanned.matchChoices).toHaveLength(3);
  expect(new Set(scanned.matchChoices).size).toBe(3);
  expect(scanned.matchChoices).toContain(qr.matchCode);
  // The code is not in the QR itself, nor in what anyone without the secret can read.
  expect(qr.qrcode).not.toContain(`"${qr.matchCode}"`);
  const observed = await http().get(`${API.check}?random=${qr.random}`);
  expect(JSON.stringify(observed.body)).not.toContain('matchCode');
  // Scanning again gives the same choices.
  const again = dataOf(await http().post<ScannedData>(API.scanned, { random: qr.random }, bearer(phone.token)));
  expect(again.matchChoices).toEqual(scanned.matchChoices);

  const confirmed = waitFor(browser, EVENTS.confirmed);
  expect((await decide(qr.random, phone.token, qr.matchCode)).body.code).toBe(200);
  expect(await confirmed).toMatchObject({ status: QR_STATUS.CONFIRMED, ticket: expect.any(String) });
});

test('a missing pick is refused without cost; a wrong pick cancels the QR, so blind guessing wins 1 time in 3 at most', async () => {
  const { phone, qr, pushes, scanned } = await scannedBankQr();
  const wrong = (scanned.matchChoices ?? []).filter((choice) => choice !== qr.matchCode);
  expect(wrong).toHaveLength(2);

  const missing = await decide(qr.random, phone.token);
  expect(missing.body).toMatchObject({ code: 2243, message: expect.stringMatching(/pick the number/), data: { reason: 'match_required' } });
  const open = dataOf(await http().get<{ status: number }>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  expect(open.status).toBe(QR_STATUS.SCANNED);

  const first = await decide(qr.random, phone.token, wrong[0]);
  expect(first.body).toMatchObject({
    code: 2243,
    message: expect.stringMatching(/wrong number; the QR code is cancelled/),
    data: { reason: 'wrong_match' },
  });
  await waitUntil(() => pushes.some((push) => push.event === EVENTS.cancelled));
  // Not a second guess, and not the right number either: the QR is gone.
  expect((await decide(qr.random, phone.token, wrong[1])).body.code).toBe(2243);
  expect((await decide(qr.random, phone.token, qr.matchCode)).body.code).toBe(2243);
  expect(pushes.map((push) => push.event)).toEqual([EVENTS.scanned, EVENTS.cancelled]);
});

test('blind tapping through the choices never signs in past the first wrong one (30 QRs)', async () => {
  let signedIn = 0;
  for (let i = 0; i < 30; i += 1) {
    const { phone, qr, scanned } = await scannedBankQr();
    for (const choice of scanned.matchChoices ?? []) {
      const answer = await decide(qr.random, phone.token, choice);
      if (answer.body.code === 200) signedIn += 1;
      if (answer.body.code === 200 || choice !== qr.matchCode) break;
    }
  }
  // Each QR allows exactly one pick that counts: expected about 10 of 30, never all.
  expect(signedIn).toBeLessThan(25);
});

test('someone else cannot spend the pick: confirm by another user is refused and changes nothing', async () => {
  const { phone, qr } = await scannedBankQr();
  const mallory = await registerUser(http());
  for (let i = 0; i < 5; i += 1) expect((await decide(qr.random, mallory.token, '00')).body.code).toBe(2243);
  expect((await decide(qr.random, phone.token, qr.matchCode)).body.code).toBe(200);
});

test('apps without number matching ignore a code and send none', async () => {
  const phone = await registerUser(http());
  const qr = dataOf(await http().post<GeneData>(API.gene, {}));
  expect(qr.matchCode).toBeUndefined();
  const scanned = dataOf(await http().post<ScannedData>(API.scanned, { random: qr.random }, bearer(phone.token)));
  expect(scanned.matchChoices).toBeUndefined();
  expect((await decide(qr.random, phone.token, '42')).body.code).toBe(200);
});
