/**
 * @module
 * `qr:expired` at `expireAt`. Each instance keeps one timer per QR room that has sockets on
 * this instance, and at the deadline emits to its own sockets only (`io.local`), after
 * reading the store: a QR confirmed or cancelled in time gets no expiry push.
 */
import type { Clock } from '../domain/clock';
import type { Logger } from '../logger';
import type { QrLoginService } from '../services/qr-login';
import { emitPush } from './push';
import { qrRoom, randomOfRoom } from './rooms';
import type { QrServer } from './types';

export interface ExpiryScheduler {
  /** Ensures a timer for the QR's deadline (idempotent). */
  watch(random: string, expireAt: number): void;
  close(): void;
}

export function createExpiryScheduler(io: QrServer, qr: QrLoginService, now: Clock, logger: Logger): ExpiryScheduler {
  const timers = new Map<string, NodeJS.Timeout>();

  const fire = async (random: string) => {
    timers.delete(random);
    try {
      await qr.expire(random, (push) => emitPush(io.local.to(qrRoom(random)), push));
    } catch (error) {
      // The store is unreachable: subscribers see the expiry from their own clock and snapshot.
      logger.warn('expiry check failed', { random, error });
    }
  };

  // A room that empties needs no timer any more.
  const onDeleteRoom = (room: string) => {
    const random = randomOfRoom(room);
    const timer = random === null ? undefined : timers.get(random);
    if (random !== null && timer) {
      clearTimeout(timer);
      timers.delete(random);
    }
  };
  io.of('/').adapter.on('delete-room', onDeleteRoom);

  return {
    watch(random, expireAt) {
      if (timers.has(random)) return;
      // A small margin puts the check after the deadline, never a hair before it.
      const delay = Math.max(0, expireAt - now()) + 5;
      const timer = setTimeout(() => void fire(random), delay);
      timer.unref();
      timers.set(random, timer);
    },
    close() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      io.of('/').adapter.off('delete-room', onDeleteRoom);
    },
  };
}
