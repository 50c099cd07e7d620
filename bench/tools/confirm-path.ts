/**
 * Where the time of a confirm goes before its push leaves, measured in-process on one instance
 * (memory store): the whole HTTP request as the phone sees it, against each stage called on its
 * own (the rate limiter, the user token check with the user lookup, the confirm use case with
 * its store writes and push). What is left is HTTP, Express, CORS and body parsing.
 *   node scripts/run-ts.mjs bench/tools/confirm-path.ts [n=3000]
 */
import type { Socket } from 'socket.io-client';
import type { GeneData } from '../../shared/http';
import type { Ack } from '../../shared/protocol';
import { startServer } from '../../tests/helpers/server';
import { registerPhone, scan } from '../lib/qrlogin';
import { connect, request } from '../lib/sockets';
import { BENCH_RATE_LIMITS } from '../lib/targets';
import { openFloorProbe, openQrloginProbe } from '../scenarios/push-latency';
import { createFloor } from '../servers/floor-app';

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
  const show = (name: string, micros: number) => console.log(`${name.padEnd(58)} ${micros.toFixed(1)} µs`);
  const meanMicros = (samplesMs: number[]) => (samplesMs.reduce((total, ms) => total + ms, 0) / samplesMs.length) * 1000;
  const timeIt = async (name: string, body: () => Promise<number>) => {
    let total = 0;
    for (let i = 0; i < N + 200; i += 1) {
      const us = await body();
      if (i >= 200) total += us;
    }
    show(name, total / N);
  };
  const us = (start: bigint) => Number(process.hrtime.bigint() - start) / 1000;

  const probe = await openQrloginProbe({ browser: server.url, scan: server.url, confirm: server.url });
  show('HTTP confirm: request written → qr:confirmed received', meanMicros(await probe.run(N)));
  probe.close();
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
  // The same measurement against the floor, here in this process too.
  const floor = createFloor();
  await new Promise<void>((resolve) => floor.httpServer.listen(0, '127.0.0.1', resolve));
  const address = floor.httpServer.address();
  const floorProbe = await openFloorProbe(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
  show('floor: POST /emit written → event received', meanMicros(await floorProbe.run(N)));
  floorProbe.close();
  await floor.io.close();
  browser.close();
  await server.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
