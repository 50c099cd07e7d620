/**
 * @module
 * The typed Socket.IO server of qrlogin.
 */
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../shared/protocol';

export type QrServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type QrSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
