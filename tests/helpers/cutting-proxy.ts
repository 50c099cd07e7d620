/**
 * @module
 * A TCP proxy in front of a real Redis that can lose one reply on purpose: armed with a marker
 * of a request and a marker of its reply, it forwards the request to Redis (which carries it
 * out), drops the reply and cuts that connection, as when Redis dies after applying a command
 * but before its answer is sent. Everything else passes through unchanged; the client then
 * reconnects through the proxy as it would to a restarted Redis.
 */
import { once } from 'node:events';
import { type Socket, connect, createServer } from 'node:net';

export interface CuttingProxy {
  /** `redis://127.0.0.1:<port>`: the proxy's address. */
  url: string;
  /**
   * The next request (on any connection) whose bytes include `request`: forward it, then cut
   * that connection at the first reply chunk that includes `reply`, dropping it (replies before
   * it, e.g. to a PING sent earlier, pass).
   */
  cutReplyTo(request: string, reply: string): void;
  /** How many replies were dropped so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: { host: string; port: number }): Promise<CuttingProxy> {
  let armed: { request: string; reply: string } | null = null;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const server = createServer((client) => {
    const upstream = connect(target);
    track(client);
    track(upstream);
    let cutAt: string | null = null;
    client.on('data', (chunk) => {
      if (armed && chunk.includes(armed.request)) {
        cutAt = armed.reply;
        armed = null;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (cutAt !== null && chunk.includes(cutAt)) {
        cutAt = null;
        cuts += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `redis://127.0.0.1:${port}`,
    cutReplyTo(request, reply) {
      armed = { request, reply };
    },
    get cuts() {
      return cuts;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
