/**
 * The floor: the least a push-after-POST service can do on this stack. A bare Socket.IO server
 * (default options, no adapter) and a bare `node:http` handler: `POST /emit {room}` emits a
 * `qr:confirmed` payload of the same shape and size as qrlogin's to that room, then answers.
 * A socket joins a room with `join` (acked). No store, no auth, no validation, no limits.
 *   PORT=N node .cache/bench/floor.cjs   (prints READY http://127.0.0.1:N)
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const TICKET = 'x'.repeat(43);

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
  socket.on('join', (room: unknown, ack: unknown) => {
    if (typeof room !== 'string' || typeof ack !== 'function') return;
    void socket.join(room);
    ack(true);
  });
  socket.on('leave', (room: unknown, ack: unknown) => {
    if (typeof room !== 'string' || typeof ack !== 'function') return;
    void socket.leave(room);
    ack(true);
  });
});

httpServer.listen(port, '127.0.0.1', () => process.stdout.write(`READY http://127.0.0.1:${port}\n`));
process.on('SIGTERM', () => process.exit(0));
