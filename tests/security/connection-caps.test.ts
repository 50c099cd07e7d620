/**
 * Finding 9 of the security review: connection caps. One address opened 4,000 idle
 * WebSockets in 6 s, and 2,000 slow-header and slow-body connections were held for 22 s. Now
 * each address may hold `MAX_SOCKETS_PER_IP` sockets per instance, and a request must arrive
 * (headers within 5 s, all of it within 10 s) or its connection is cut.
 */
import { once } from 'node:events';
import { type Socket, connect as tcpConnect } from 'node:net';
import { HTTP_SERVER_OPTIONS } from '../../server/http/server-options';
import { type TestServer, startServer } from '../helpers/server';
import { type ClientSocket, closeAllSockets, connect, waitUntil } from '../helpers/sockets';
import { sleep } from '../helpers/time';

let servers: TestServer[] = [];

afterEach(async () => {
  closeAllSockets();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serverWith(env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ env });
  servers.push(server);
  return server;
}

test('an address may hold MAX_SOCKETS_PER_IP sockets; one more is refused at the handshake until one closes', async () => {
  const server = await serverWith({ MAX_SOCKETS_PER_IP: '3' });
  const held: ClientSocket[] = [];
  for (let i = 0; i < 3; i += 1) held.push(await connect(server.url));
  await expect(connect(server.url)).rejects.toThrow();
  await expect(connect(server.url, { transports: ['polling'] })).rejects.toThrow();
  held[0]?.disconnect();
  await waitUntil(() => server.app.io.engine.clientsCount === 2);
  await expect(connect(server.url)).resolves.toMatchObject({ connected: true });
});

test('MAX_SOCKETS_PER_IP=0 turns the cap off; the default is generous (1000)', async () => {
  const server = await serverWith({ MAX_SOCKETS_PER_IP: '0' });
  const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(server.url)));
  expect(sockets.every((socket) => socket.connected)).toBe(true);
  expect((await serverWith({})).config.maxSocketsPerIp).toBe(1000);
});

test('a handshake whose client resets the connection at once is refused, and the server keeps serving', async () => {
  const server = await serverWith({ MAX_SOCKETS_PER_IP: '5' });
  const requests = [
    'GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  ];
  for (let i = 0; i < 100; i += 1) {
    const socket = tcpConnect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(requests[i % 2] ?? '');
    socket.resetAndDestroy();
  }
  await sleep(200);
  expect((await fetch(`${server.url}/livez`)).status).toBe(200);
  await expect(connect(server.url)).resolves.toMatchObject({ connected: true });
});

test('the app wires the request timeouts into its own HTTP server', async () => {
  const server = await serverWith({});
  const { createApp } = await import('../../server/app');
  const app = createApp(server.config);
  try {
    expect(app.httpServer.headersTimeout).toBe(HTTP_SERVER_OPTIONS.headersTimeout);
    expect(app.httpServer.requestTimeout).toBe(HTTP_SERVER_OPTIONS.requestTimeout);
  } finally {
    await app.close();
  }
});

/** Opens a raw TCP connection, writes `text`, and resolves with the ms until the server closes it. */
async function heldFor(port: number, text: string, limitMs: number): Promise<{ closedAfterMs: number; reply: string }> {
  const socket: Socket = tcpConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
  socket.write(text);
  const guard = setTimeout(() => socket.destroy(), limitMs);
  await once(socket, 'close');
  clearTimeout(guard);
  return { closedAfterMs: Date.now() - started, reply };
}

test('slow headers and slow bodies are cut off instead of holding a connection; slow answers (long polls) are not', async () => {
  const server = await serverWith({});
  const limitMs = HTTP_SERVER_OPTIONS.requestTimeout + 5_000;
  const polling = await connect(server.url, { transports: ['polling'] });
  let drops = 0;
  polling.on('disconnect', () => (drops += 1));
  const [slowHeaders, slowBody] = await Promise.all([
    heldFor(server.port, 'GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', limitMs),
    heldFor(
      server.port,
      'POST /api/v2/qrcode/gene HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
      limitMs,
    ),
  ]);
  // Cut by the server (with 408), not by this test's own guard.
  expect(slowHeaders.reply).toMatch(/^HTTP\/1\.1 408/);
  expect(slowBody.reply).toMatch(/^HTTP\/1\.1 408/);
  expect(slowHeaders.closedAfterMs).toBeLessThan(limitMs);
  expect(slowBody.closedAfterMs).toBeLessThan(limitMs);
  // A long-polling socket, whose GETs wait for answers, lived through it all.
  expect(polling.connected).toBe(true);
  expect(drops).toBe(0);
}, 30_000);
