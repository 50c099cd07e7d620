/**
 * @module
 * The floor: the least a push-after-POST service can do on this stack. A bare Socket.IO server
 * (default options, no adapter) and a bare `node:http` handler: `POST /emit {room}` emits a
 * `qr:confirmed` payload of the same shape and size as qrlogin's to that room, then answers.
 * A socket joins and leaves rooms with `join` / `leave` (acked). No store, no auth, no
 * validation, no limits. Started as a process by ./floor.ts, or in-process by bench tools.
 */
import { type Server as HttpServer, createServer } from 'node:http';
import { Server } from 'socket.io';

const TICKET = 'x'.repeat(43);

export function createFloor(): { httpServer: HttpServer; io: Server } {
  const httpServer = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/emit') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { room } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { room: string };
        io.to(room).emit('qr:confirmed', { random: room, status: 2, version: 3, ticket: TICKET });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200,"message":"ok","data":{}}');
      });
      return;
    }
    res.writeHead(req.url === '/livez' ? 200 : 404).end();
  });

  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    for (const [event, act] of [
      ['join', (room: string) => socket.join(room)],
      ['leave', (room: string) => socket.leave(room)],
    ] as const) {
      socket.on(event, (room: unknown, ack: unknown) => {
        if (typeof room !== 'string' || typeof ack !== 'function') return;
        void act(room);
        ack(true);
      });
    }
  });
  return { httpServer, io };
}
