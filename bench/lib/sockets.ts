/**
 * @module
 * Browser sockets as the widget opens them (`socket.io-client`, WebSocket transport first,
 * which is what client/web/realtime.ts does), for the load generator and the idle fleet.
 */
import { type Socket, io } from 'socket.io-client';

export function connect(url: string, timeoutMs = 10_000): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Emits `event` and resolves with the ack; rejects after `timeoutMs`. */
export function request<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** The next `event` on `socket` whose payload passes `accept`; rejects after `timeoutMs`. */
export function next<T>(socket: Socket, event: string, accept: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (payload: T) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, listener);
  });
}
