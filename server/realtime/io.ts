/**
 * @module
 * The Socket.IO server: typed, small message limit, and an origin gate at the handshake
 * (WebSocket upgrades are not covered by CORS, so the check is `allowRequest`'s).
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { originOf, selfOrigins } from '../http/request-info';
import type { AppRegistry } from '../services/apps';
import type { QrServer } from './types';

/** Largest socket message accepted, in bytes. */
export const MAX_SOCKET_MESSAGE = 16 * 1024;

export function createIo(httpServer: HttpServer, apps: AppRegistry, publicUrl: string, extra: Partial<ServerOptions> = {}): QrServer {
  const io: QrServer = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: MAX_SOCKET_MESSAGE,
    cors: { origin: true, credentials: true },
    allowRequest: (req, callback) => {
      const origin = originOf(req.headers);
      const allowed = origin === null || apps.anyAllows(origin) || selfOrigins(req, publicUrl).includes(origin);
      callback(allowed ? null : 'origin not allowed', allowed);
    },
    ...extra,
  });
  io.use((socket, next) => {
    socket.data.origin = originOf(socket.handshake.headers);
    next();
  });
  return io;
}
