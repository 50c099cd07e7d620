/**
 * @module
 * Turns stored transitions (`qr.changed`) into pushes to the QR's room (the projection is the
 * domain's `toPush`). With the Redis adapter the emit reaches the room's sockets on every
 * instance. `resyncLocalRooms` re-sends the current state to this instance's rooms after
 * cross-instance delivery was interrupted; clients ignore a push whose version they have.
 */
import { EVENTS, type ServerToClientEvents } from '../../shared/protocol';
import type { PushMessage } from '../domain/qr-session';
import type { Logger } from '../logger';
import type { EventBus } from '../services/events';
import type { QrLoginService } from '../services/qr-login';
import { qrRoom, randomOfRoom } from './rooms';
import type { QrServer } from './types';

type Emitter = { emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean };

/** Emits one push; the switch keeps each event paired with its payload type. */
export function emitPush(target: Emitter, push: PushMessage): void {
  switch (push.event) {
    case EVENTS.scanned:
      target.emit(push.event, push.payload);
      return;
    case EVENTS.confirmed:
      target.emit(push.event, push.payload);
      return;
    case EVENTS.cancelled:
      target.emit(push.event, push.payload);
      return;
    case EVENTS.expired:
      target.emit(push.event, push.payload);
      return;
  }
}

/** `pushed` (the metrics) is called after each push with `process.hrtime.bigint()` of its transition's event. */
export function wirePush(io: QrServer, events: EventBus, qr: QrLoginService, pushed?: (startedNs: bigint) => void): () => void {
  return events.on('qr.changed', ({ session }) => {
    const started = pushed ? process.hrtime.bigint() : 0n;
    const push = qr.pushOf(session);
    if (!push) return;
    emitPush(io.to(qrRoom(session.random)), push);
    pushed?.(started);
  });
}

/** Re-sends the stored state of every QR that has subscribers on this instance. */
export async function resyncLocalRooms(io: QrServer, qr: QrLoginService, logger: Logger): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  let firstError: unknown;
  for (const room of io.of('/').adapter.rooms.keys()) {
    const random = randomOfRoom(room);
    if (random === null) continue;
    try {
      const push = await qr.currentPush(random);
      if (!push) continue;
      emitPush(io.local.to(room), push);
      sent += 1;
    } catch (error) {
      failed += 1;
      firstError ??= error;
    }
  }
  // One line per pass, not one per room: an outage would otherwise flood the log.
  if (failed > 0)
    logger.warn('resync incomplete: some subscribers’ QR codes could not be read, trying again', { failed, sent, error: firstError });
  return { sent, failed };
}
