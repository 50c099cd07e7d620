/**
 * @module
 * The Socket.IO pushes, the subscribe snapshot and the acks (PROTOCOL §4) as zod schemas,
 * each tied to its type in shared/protocol.ts by {@link agrees}. The payloads the server
 * validates are server/edge/validation.ts's own schemas, used as they are.
 */
import { z } from 'zod';
import type { CancelledEvent, ConfirmedEvent, ExpiredEvent, QrSnapshot, ScannedEvent } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { agrees, errorPayload, isoTime, named, qrStatus, scannerInfo } from './schemas';

export const snapshot = agrees<QrSnapshot>()(
  named(
    'QrSnapshot',
    z.object({
      random: z.string(),
      status: qrStatus,
      version: z.int(),
      expireAt: isoTime('When the QR expires'),
      serverNow: isoTime("The server's clock"),
      ticket: z.string().optional().meta({ description: 'Present at status 2 only.' }),
      userInfo: scannerInfo,
      matchCode: z.string().optional(),
    }),
  ),
);

export const scannedEvent = agrees<ScannedEvent>()(
  named('ScannedEvent', z.object({ random: z.string(), status: z.literal(QR_STATUS.SCANNED), version: z.int(), userInfo: scannerInfo })),
);
export const confirmedEvent = agrees<ConfirmedEvent>()(
  named(
    'ConfirmedEvent',
    z.object({
      random: z.string(),
      status: z.literal(QR_STATUS.CONFIRMED),
      version: z.int(),
      ticket: z.string().meta({ description: 'Single-use, short-lived: exchange it with `POST /api/v2/qrcode/userinfo`.' }),
    }),
  ),
);
export const cancelledEvent = agrees<CancelledEvent>()(
  named('CancelledEvent', z.object({ random: z.string(), status: z.literal(QR_STATUS.CANCELLED), version: z.int() })),
);
export const expiredEvent = agrees<ExpiredEvent>()(
  named(
    'ExpiredEvent',
    z.object({
      random: z.string(),
      status: z.literal(QR_STATUS.EXPIRED),
      version: z.int().meta({ description: "The QR's last version + 1." }),
    }),
  ),
);

/** `{ok: false, error}`: how every ack refuses. */
export const ackError = named('AckError', z.object({ ok: z.literal(false), error: errorPayload }));

/** An ack that answers `data` when it succeeds. */
export function ackOf<T extends z.ZodType>(data: T) {
  return z.union([z.object({ ok: z.literal(true), data }), ackError]);
}

/** The ack of `qr:unsubscribe`: `{ok: true}` (or a refusal). */
export const emptyAck = z.union([z.object({ ok: z.literal(true) }), ackError]);
