/**
 * @module
 * The Socket.IO server: typed, small message limit, and two gates at the handshake: the origin
 * policy (WebSocket upgrades are not covered by CORS, so the check is `allowRequest`'s) and
 * the per-address connection cap.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { OriginPolicy } from '../edge/origin-policy';
import { clientIp, originOf, type TrustFunction } from '../edge/request-info';
import { createSocketCap, type SocketCap } from './socket-cap';
import type { QrServer } from './types';

/** Largest socket message accepted, in bytes. */
export const MAX_SOCKET_MESSAGE = 16 * 1024;

export interface IoOptions {
  origins: OriginPolicy;
  /** Open connections per client address; 0: no cap. */
  maxSocketsPerIp: number;
  trust: TrustFunction;
  adapter?: ServerOptions['adapter'];
}

export function createIo(httpServer: HttpServer, options: IoOptions): QrServer {
  const { origins, trust } = options;
  const cap = createSocketCap(options.maxSocketsPerIp);
  const io: QrServer = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: MAX_SOCKET_MESSAGE,
    cors: { origin: true, credentials: true },
    // Called for new connections only (not for a polling connection's upgrade).
    // The origin is judged once per connection: later requests of the session (polls, the
    // upgrade to WebSocket) carry its id, and the socket keeps the handshake's origin.
    allowRequest: (req, callback) => {
      const ip = clientIp(req, trust);
      if (ip === '') callback('connection already gone', false);
      else if (!origins.admits(originOf(req.headers))) callback('origin not allowed', false);
      else if (!cap.admits(ip)) callback('too many connections from this address', false);
      else callback(null, true);
    },
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  io.engine.on('connection', (connection: { request: IncomingMessage } & Parameters<SocketCap['track']>[0]) =>
    cap.track(connection, clientIp(connection.request, trust)),
  );
  io.use((socket, next) => {
    socket.data.origin = originOf(socket.handshake.headers);
    next();
  });
  return io;
}
