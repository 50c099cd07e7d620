/**
 * The window in which a confirmed login used to be lost: Redis carries out the take of a
 * ticket and then dies before its reply is sent (a crash between the append-only file's fsync
 * and the answer, or a master failing over). A proxy in front of the machine's real Redis drops
 * exactly that reply and cuts the connection; the instance must still answer the user (its
 * take repeats under its own claim), and the ticket must still work only once.
 */
import { createClient } from 'redis';
import { API, type CheckData, HEADERS, type UserInfoData } from '../../shared/http';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { api, dataOf } from '../helpers/api';
import { REDIS_URL, deleteByPrefix, uniquePrefix } from '../helpers/cluster';
import { type CuttingProxy, startCuttingProxy } from '../helpers/cutting-proxy';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';

let proxy: CuttingProxy;
let server: TestServer;
let redis: AnyRedisClient;
let prefix: string;

beforeEach(async () => {
  const target = new URL(REDIS_URL);
  proxy = await startCuttingProxy({ host: target.hostname, port: Number(target.port || 6379) });
  prefix = uniquePrefix();
  redis = createClient({ url: REDIS_URL });
  await redis.connect();
  server = await startServer({ redis: { url: proxy.url, prefix } });
});

afterEach(async () => {
  // The proxy first: a client still reconnecting through it when it is destroyed would connect
  // again afterwards (node-redis 5) and keep the test process alive.
  await proxy.close();
  await server.close();
  await deleteByPrefix(redis, prefix);
  await redis.close();
});

/** A confirmed QR's ticket, read by its browser. */
async function confirmedTicket(): Promise<string> {
  const http = api(server.url);
  const phone = await registerUser(http);
  const qr = await gene(http);
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const checked = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { [HEADERS.secret]: qr.secret }));
  if (!checked.ticket) throw new Error('no ticket after confirm');
  return checked.ticket;
}

const redeem = (ticket: string) => api(server.url).post<UserInfoData>(API.userinfo, { ticket }, bearer(server.demoAppSecret));

const redeemedLogs = () => server.logs.filter((line) => line.includes('"event":"ticket.redeemed"'));

it('a take whose reply Redis never sent still answers the user, and the ticket is used up', async () => {
  const ticket = await confirmedTicket();
  const ticketKeys = await redis.keys(`${prefix}ticket:*`);
  expect(ticketKeys).toHaveLength(1);

  // The take reaches Redis, which carries it out; its reply (the ticket's record) never arrives.
  proxy.cutReplyTo(`${prefix}ticket-taken:`, '"appId"');
  const first = await redeem(ticket);

  expect(proxy.cuts).toBe(1);
  expect(first.body.code).toBe(200);
  expect(first.body.data?.token).toEqual(expect.any(String));
  expect(await redis.exists(ticketKeys)).toBe(0);
  expect(redeemedLogs()).toHaveLength(1);

  const again = await redeem(ticket);
  expect(again.body).toMatchObject({ code: 2244, data: null });
  expect(redeemedLogs()).toHaveLength(1);
});

it('with the reply of one take lost among 8 concurrent ones, exactly one caller ever gets the user', async () => {
  const ticket = await confirmedTicket();
  // The cut falls on the first reply carrying the record after a take was sent: that take's, or
  // one of the other callers' peeks already in flight on the connection. Either way, one answer.
  proxy.cutReplyTo(`${prefix}ticket-taken:`, '"appId"');

  const answers = await Promise.all(Array.from({ length: 8 }, () => redeem(ticket)));

  expect(proxy.cuts).toBe(1);
  // Calls whose own commands were in flight on the cut connection answer 503 (try again).
  const codes = answers.map((answer) => answer.body.code);
  expect(codes.filter((code) => code === 200)).toHaveLength(1);
  expect(codes.every((code) => code === 200 || code === 2244 || code === 503)).toBe(true);
  // Tried again, none of them gets the user a second time.
  const retried = await Promise.all(answers.filter((answer) => answer.body.code === 503).map(() => redeem(ticket)));
  expect(retried.map((answer) => answer.body.code)).toEqual(retried.map(() => 2244));
  expect(redeemedLogs()).toHaveLength(1);
});
