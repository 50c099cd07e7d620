/**
 * @module
 * Turns stored transitions (`qr.changed`) into pushes to the QR's room. With the Redis
 * adapter the emit reaches the room's sockets on every instance. `resyncLocalRooms` re-sends
 * the current state to this instance's rooms after cross-instance delivery was interrupted;
 * clients ignore a push whose version they already have.
 */
import { EVENTS, type ServerToClientEvents } from '../../shared/protocol';
import { effectiveStatus } from '../../shared/state-machine';
import { QR_STATUS } from '../../shared/status';
import { type QrSession, scannerInfo } from '../domain/qr-session';
import type { Logger } from '../logger';
import type { AppRegistry } from '../services/apps';
import type { EventBus } from '../services/events';
import type { QrStore } from '../backend/stores';
import { qrRoom, randomOfRoom } from './rooms';
import type { QrServer } from './types';

type Emitter = { emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean };

/** Emits the push that announces the session's stored status (none while pending). */
function emitState(target: Emitter, session: QrSession, apps: AppRegistry): void {
  const base = { random: session.random, version: session.version };
  switch (session.status) {
    case QR_STATUS.SCANNED:
      target.emit(EVENTS.scanned, {
        ...base,
        status: QR_STATUS.SCANNED,
        userInfo: scannerInfo(session, apps.get(session.appId)?.showScannerOnWeb ?? false),
      });
      return;
    case QR_STATUS.CONFIRMED:
      if (session.ticket !== null) target.emit(EVENTS.confirmed, { ...base, status: QR_STATUS.CONFIRMED, ticket: session.ticket });
      return;
    case QR_STATUS.CANCELLED:
      target.emit(EVENTS.cancelled, { ...base, status: QR_STATUS.CANCELLED });
      return;
    case QR_STATUS.PENDING:
      return;
  }
}

export function wirePush(io: QrServer, events: EventBus, apps: AppRegistry): () => void {
  return events.on('qr.changed', ({ session }) => emitState(io.to(qrRoom(session.random)), session, apps));
}

/** Re-sends the stored state of every QR that has subscribers on this instance. */
export async function resyncLocalRooms(
  io: QrServer,
  store: QrStore,
  apps: AppRegistry,
  logger: Logger,
  now = Date.now,
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const room of io.of('/').adapter.rooms.keys()) {
    const random = randomOfRoom(room);
    if (random === null) continue;
    try {
      const session = await store.get(random);
      // Expiry is each instance's own timer; confirmed, scanned and cancelled are re-sent.
      if (!session || effectiveStatus(session, now()) === QR_STATUS.EXPIRED) continue;
      emitState(io.local.to(room), session, apps);
      sent += 1;
    } catch (error) {
      failed += 1;
      logger.warn('resync failed', { random, error });
    }
  }
  return { sent, failed };
}
