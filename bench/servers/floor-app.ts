/**
 * @module
 * The floor: the least a push-after-POST service can do on this stack. A bare Socket.IO server
 * (default options, no adapter) and a bare `node:http` handler. No store, no auth, no
 * validation, no limits. Started as a process by ./floor.ts, or in-process by bench tools.
 *
 * For push latency: `POST /emit {room}` emits a `qr:confirmed` payload of the same shape and
 * size as qrlogin's to that room, then answers; a socket joins and leaves rooms with `join` /
 * `leave` (acked).
 *
 * For throughput and capacity, a login's wire steps as qrlogin's, answered with envelopes of
 * about the same size and shape (`{code: 200, message: 'success', data}`):
 * - `POST /gene` (and the socket's `qr:create`, which also joins the room `random`): a fresh
 *   `random` and `secret`, a QR text of the same length as qrlogin's, and `url` pointing at
 *   `/qr.png?random=…`;
 * - `GET /qr.png`: one PNG of the size of qrlogin's (rendered once at startup by qrlogin's own
 *   renderer, on a text of the same length), served from memory for any `random`;
 * - the socket's `qr:subscribe {random}`: joins the room `random`, acked with a snapshot;
 * - `POST /scanned {random}`, `POST /confirm {random}` (emits `qr:confirmed` with a ticket to
 *   the room `random`, as `/emit` does);
 * - `POST /userinfo`: the user with a JWT-shaped token as long as qrlogin's ES256 ID token
 *   (made once, never signed).
 */
import { randomBytes } from 'node:crypto';
import { type Server as HttpServer, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { Server } from 'socket.io';
import { renderQrPng } from '../../server/http/qr-png';
import { QR_SCENE, encodeQrPayload } from '../../shared/qr-payload';

const TICKET = 'x'.repeat(43);
const TTL_MS = 3600_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const iso = (ms: number) => new Date(ms).toISOString();

/** The QR text (server/domain/qr-session.ts `qrText`, with the demo app): the same length as qrlogin's. */
const qrText = (random: string, createdAt: number) =>
  encodeQrPayload({
    scene: QR_SCENE,
    random,
    userPoolId: 'qrlogin',
    appId: 'demo',
    createdAt: iso(createdAt),
    expireAt: iso(createdAt + TTL_MS),
    customData: {},
  });

/** What `gene` answers: a 128-bit `random` and a 256-bit `secret` from one CSPRNG call. */
function geneData(base: string) {
  const bytes = randomBytes(48);
  const random = bytes.toString('base64url', 0, 16);
  const now = Date.now();
  return {
    random,
    secret: bytes.toString('base64url', 16),
    url: `${base}/qr.png?random=${random}`,
    qrcode: qrText(random, now),
    createdAt: iso(now),
    expireAt: iso(now + TTL_MS),
    expiresIn: TTL_MS / 1000,
  };
}

/** A user and a token shaped as qrlogin's ES256 ID token (header with `kid`, its claims, 64-byte signature). */
function userInfo() {
  const token = (bytes: number) => randomBytes(bytes).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const id = token(16);
  const claims = {
    sub: id,
    aud: 'demo',
    amr: ['qr'],
    auth_time: now,
    name: 'Bench User',
    nickname: 'Bench User',
    preferred_username: 'bench1_abcdef',
    sid: token(16),
    iss: 'http://127.0.0.1:40000',
    iat: now,
    exp: now + 3600,
    jti: token(16),
  };
  const idToken = [b64({ alg: 'ES256', typ: 'JWT', kid: token(32) }), b64(claims), token(64)].join('.');
  const user = { id, username: claims.preferred_username, nickname: 'Bench User', photo: null, email: null, phone: null };
  return { ...user, token: idToken, tokenExpiredAt: iso((now + 3600) * 1000) };
}

/** What `scanned` answers (the app, the requesting browser), with the QR's `random`. */
const scannedData = (random: string) => ({
  random,
  status: 1,
  app: { id: 'demo', name: 'qrlogin demo' },
  requester: { ip: '127.0.0.1', userAgent: '', browser: 'unknown', os: 'unknown', origin: null },
  sameNetwork: true,
  createdAt: iso(Date.now()),
  expireAt: iso(Date.now() + TTL_MS),
});

type Body = { random?: string; room?: string };

/** Reads the request's JSON body, then answers `handle`'s data in an envelope. */
function json(req: IncomingMessage, res: ServerResponse, handle: (body: Body) => unknown): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: Body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Body;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const data = handle(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code: 200, message: 'success', data }));
  });
}

export function createFloor(): { httpServer: HttpServer; io: Server } {
  const png = renderQrPng(qrText(randomBytes(16).toString('base64url'), Date.now()));
  const user = userInfo();
  const confirmed = (random: string) => ({ random, status: 2, version: 3, ticket: TICKET });
  const routes: Record<string, (body: Body, req: IncomingMessage) => unknown> = {
    '/gene': (_, req) => geneData(`http://${req.headers.host ?? '127.0.0.1'}`),
    '/scanned': ({ random = '' }) => scannedData(random),
    '/confirm': ({ random = '' }) => {
      io.to(random).emit('qr:confirmed', confirmed(random));
      return { random, status: 2 };
    },
    '/userinfo': () => user,
  };

  const httpServer = createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'POST' && url === '/emit') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { room } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { room: string };
        io.to(room).emit('qr:confirmed', confirmed(room));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200,"message":"ok","data":{}}');
      });
      return;
    }
    const route = req.method === 'POST' ? routes[url] : undefined;
    if (route) return json(req, res, (body) => route(body, req));
    if (req.method === 'GET' && (url === '/qr.png' || url.startsWith('/qr.png?'))) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'public, max-age=3600' }).end(png);
      return;
    }
    res.writeHead(url === '/livez' ? 200 : 404).end();
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
    socket.on('qr:create', (_: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const data = geneData(`http://${socket.handshake.headers.host ?? '127.0.0.1'}`);
      void socket.join(data.random);
      ack({ ok: true, data });
    });
    socket.on('qr:subscribe', (payload: { random?: unknown } | null, ack: unknown) => {
      if (typeof payload?.random !== 'string' || typeof ack !== 'function') return;
      const { random } = payload;
      void socket.join(random);
      const now = Date.now();
      ack({ ok: true, data: { random, status: 0, version: 0, expireAt: iso(now + TTL_MS), serverNow: iso(now), userInfo: {} } });
    });
  });
  return { httpServer, io };
}
