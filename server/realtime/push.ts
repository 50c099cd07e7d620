/**
 * @module
 * Turns stored transitions (`qr.changed`) into pushes to the QR's room. With the Redis
 * adapter the emit reaches the room's sockets on every instance.
 */
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { scannerInfo } from '../domain/qr-session';
import type { AppRegistry } from '../services/apps';
import type { EventBus } from '../services/events';
import { qrRoom } from './rooms';
import type { QrServer } from './types';

export function wirePush(io: QrServer, events: EventBus, apps: AppRegistry): () => void {
  return events.on('qr.changed', ({ session }) => {
    const room = io.to(qrRoom(session.random));
    const base = { random: session.random, version: session.version };
    switch (session.status) {
      case QR_STATUS.SCANNED:
        room.emit(EVENTS.scanned, {
          ...base,
          status: QR_STATUS.SCANNED,
          userInfo: scannerInfo(session, apps.get(session.appId)?.showScannerOnWeb ?? false),
        });
        return;
      case QR_STATUS.CONFIRMED:
        if (session.ticket !== null) room.emit(EVENTS.confirmed, { ...base, status: QR_STATUS.CONFIRMED, ticket: session.ticket });
        return;
      case QR_STATUS.CANCELLED:
        room.emit(EVENTS.cancelled, { ...base, status: QR_STATUS.CANCELLED });
        return;
      case QR_STATUS.PENDING:
        return;
    }
  });
}
