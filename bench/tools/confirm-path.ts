/**
 * Where the time of a confirm goes before its push leaves, measured in-process on one instance
 * (memory store): the whole HTTP request as the phone sees it, against each stage called on its
 * own (the rate limiter, the user token check with the user lookup, the confirm use case with
 * its store writes and push). What is left is HTTP, Express, CORS and body parsing.
 *   node scripts/run-ts.mjs bench/tools/confirm-path.ts [n=3000]
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import type { GeneData } from '../../shared/http';
import type { Ack } from '../../shared/protocol';
import { startServer } from '../../tests/helpers/server';
import { postJson } from '../lib/http';
import { confirm, registerPhone, scan } from '../lib/qrlogin';
import { connect, next, request } from '../lib/sockets';
import { BENCH_RATE_LIMITS } from '../lib/targets';

const N = Number(process.argv[2] ?? 3000);

async function main() {
  const server = await startServer({ env: { LOG_LEVEL: 'warn', RATE_LIMITS: BENCH_RATE_LIMITS, QR_TTL_SECONDS: '3600' } });
  const { app } = server;
  const token = await registerPhone(server.url);
  const user = await app.users.authenticate(token);
  const browser: Socket = await connect(server.url);
  const fresh = async () => {
    const ack = await request<Ack<GeneData>>(browser, 'qr:create', {});
    if (!ack.ok) throw new Error('qr:create');
    await scan(server.url, token, ack.data.random);
    return ack.data.random;
  };
  const timeIt = async (name: string, body: () => Promise<number>) => {
    let total = 0;
    for (let i = 0; i < N + 200; i += 1) {
      const us = await body();
      if (i >= 200) total += us;
    }
    console.log(`${name.padEnd(58)} ${(total / N).toFixed(1)} µs`);
  };
  const us = (start: bigint) => Number(process.hrtime.bigint() - start) / 1000;

  await timeIt('HTTP confirm: request written → qr:confirmed received', async () => {
    const random = await fresh();
    const pushed = next<{ random: string }>(browser, 'qr:confirmed', (push) => push.random === random);
    const t0 = process.hrtime.bigint();
    const answered = confirm(server.url, token, random);
    await pushed;
    const elapsed = us(t0);
    await answered;
    return elapsed;
  });
  await timeIt('qr.confirm() alone: load, decide, ticket, store, push emitted', async () => {
    const random = await fresh();
    const t0 = process.hrtime.bigint();
    await app.qr.confirm(random, user);
    return us(t0);
  });
  await timeIt('users.authenticate(): remembered token + user lookup', async () => {
    const t0 = process.hrtime.bigint();
    await app.users.authenticate(token);
    return us(t0);
  });
  // The same measurement against a bare node:http + Socket.IO pair in this process (the floor).
  const bare = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { room } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { room: string };
      io.to(room).emit('qr:confirmed', { random: room, status: 2, version: 3, ticket: 'x'.repeat(43) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200,"message":"ok","data":{}}');
    });
  });
  const io = new Server(bare);
  io.on('connection', (socket) =>
    socket.on('join', (room: string, ack: (ok: boolean) => void) => {
      void socket.join(room);
      ack(true);
    }),
  );
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const address = bare.address();
  const floorUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const floorSocket = await connect(floorUrl);
  let rooms = 0;
  await timeIt('floor: POST /emit written → event received', async () => {
    const room = `r${(rooms += 1)}`;
    await request(floorSocket, 'join', room);
    const pushed = next<{ random: string }>(floorSocket, 'qr:confirmed', (push) => push.random === room);
    const t0 = process.hrtime.bigint();
    const answered = postJson(`${floorUrl}/emit`, { room });
    await pushed;
    const elapsed = us(t0);
    await answered;
    return elapsed;
  });
  floorSocket.close();
  io.close();
  browser.close();
  await server.close();
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
