/**
 * Server CPU per step of a login, one step type at a time, on one instance (memory store):
 * where a login's CPU goes. `node scripts/run-ts.mjs bench/tools/step-cost.ts [n=2000]`
 */
import type { GeneData } from '../../shared/http';
import { closeIdleConnections, send } from '../lib/http';
import { stopAll } from '../lib/processes';
import { confirm, exchange, gene, registerPhone, scan } from '../lib/qrlogin';
import { connect, next, request } from '../lib/sockets';
import { startFloor, startQrlogin } from '../lib/targets';

const N = Number(process.argv[2] ?? 2000);

async function main() {
  const floor = await startFloor();
  const floorRows: Record<string, string> = {};
  for (const [name, run] of [
    ['floor: GET /livez (bare node:http)', () => send('GET', `${floor.url}/livez`)],
    [
      'floor: POST /emit (no one in the room)',
      () => send('POST', `${floor.url}/emit`, '{"room":"nobody"}', { 'content-type': 'application/json' }),
    ],
  ] as const) {
    for (let i = 0; i < 200; i += 1) await run();
    const before = floor.process.cpuMs();
    for (let i = 0; i < N; i += 1) await run();
    floorRows[name] = `${((floor.process.cpuMs() - before) / N).toFixed(3)} ms CPU`;
  }
  console.table(floorRows);
  const server = await startQrlogin({ name: 'qrlogin step cost', store: 'memory' });
  const base = server.url;
  const token = await registerPhone(base);
  const rows: Record<string, string> = {};
  const measure = async (name: string, step: (i: number) => Promise<unknown>, count = N) => {
    for (let i = 0; i < Math.min(200, count); i += 1) await step(i); // warm-up
    const before = server.process.cpuMs();
    const t0 = Date.now();
    for (let i = 0; i < count; i += 1) await step(i);
    rows[name] = `${((server.process.cpuMs() - before) / count).toFixed(3)} ms CPU, ${((Date.now() - t0) / count).toFixed(3)} ms wall`;
  };
  await measure('GET /livez (floor of one HTTP request)', () => send('GET', `${base}/livez`));
  const qrs: GeneData[] = [];
  await measure('POST gene', async () => qrs.push(await gene(base)), N + 200 + N * 0);
  let img = 0;
  // Each QR's image once (first render), as an <img> loads it, then the same again (kept).
  await measure('GET /qr.png (first render)', async () => {
    const { pathname, search } = new URL(qrs[img++]!.url);
    return send('GET', `${base}${pathname}${search}`);
  });
  img = 0;
  await measure('GET /qr.png (kept image)', async () => {
    const { pathname, search } = new URL(qrs[img++]!.url);
    return send('GET', `${base}${pathname}${search}`);
  });
  const sockets: Awaited<ReturnType<typeof connect>>[] = [];
  await measure('socket connect (websocket)', async () => sockets.push(await connect(base)), 500);
  let s = 0;
  await measure(
    'qr:subscribe',
    async () => {
      const qr = qrs[s % qrs.length]!;
      const socket = sockets[s % sockets.length]!;
      s += 1;
      await request(socket, 'qr:subscribe', { random: qr.random, secret: qr.secret });
    },
    700,
  );
  await measure('socket close', async () => sockets.pop()?.close(), 500);
  await new Promise((r) => setTimeout(r, 500));
  // Full scans/confirms on fresh QRs.
  const fresh: GeneData[] = [];
  for (let i = 0; i < N + 200; i += 1) fresh.push(await gene(base));
  // A user holds at most 5 undecided scans: 5 QRs per user.
  const tokens: string[] = [token];
  while (tokens.length * 5 < fresh.length) tokens.push(await registerPhone(base));
  let k = 0;
  const tickets: { ticket: string; secret: string }[] = [];
  const browser = await connect(base);
  await measure('POST scanned', async () => {
    const i = k++;
    return scan(base, tokens[Math.floor(i / 5)]!, fresh[i]!.random);
  });
  k = 0;
  await measure('POST confirm (+ push)', async () => {
    const i = k++;
    await confirm(base, tokens[Math.floor(i / 5)]!, fresh[i]!.random);
  });
  // Exchange: tickets via subscribe snapshots.
  for (let i = 0; i < N + 200; i += 1) {
    const qr = fresh[i]!;
    const ack = await request<{ ok: true; data: { ticket?: string } }>(browser, 'qr:subscribe', { random: qr.random, secret: qr.secret });
    if (ack.data.ticket) tickets.push({ ticket: ack.data.ticket, secret: qr.secret });
  }
  k = 0;
  await measure(
    'POST userinfo (exchange, ID token signed)',
    async () => {
      const t = tickets[k++]!;
      await exchange(base, t.ticket, t.secret);
    },
    tickets.length - 200,
  );
  void next;
  browser.close();
  console.table(rows);
  closeIdleConnections();
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    process.exit();
  });
