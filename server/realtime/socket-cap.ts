/**
 * @module
 * At most `max` open Socket.IO connections per client address (IPv6 by its /64, as the rate
 * limits count), per instance: one address cannot hold thousands of idle sockets (~16 kB each).
 * Counted when a connection opens and when it closes, so nothing leaks; the check is at the
 * handshake (`allowRequest`). `max` 0 turns it off (load tests from one loopback address).
 */
import { ipSubject } from '../ratelimit/limiter';

/** What the cap needs of an Engine.IO connection. */
interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

export interface SocketCap {
  /** Whether one more connection from `ip` is allowed now. */
  admits(ip: string): boolean;
  /** Counts `socket` against `ip` until it closes. */
  track(socket: Closable, ip: string): void;
}

export function createSocketCap(max: number): SocketCap {
  const open = new Map<string, number>();
  if (max <= 0) return { admits: () => true, track: () => undefined };
  return {
    admits: (ip) => (open.get(ipSubject(ip)) ?? 0) < max,
    track(socket, ip) {
      // Reset before it was read: nothing to count (it closes at once).
      if (ip === '') return;
      const subject = ipSubject(ip);
      open.set(subject, (open.get(subject) ?? 0) + 1);
      socket.once('close', () => {
        const left = (open.get(subject) ?? 1) - 1;
        if (left > 0) open.set(subject, left);
        else open.delete(subject);
      });
    },
  };
}
