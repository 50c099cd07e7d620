/**
 * @module
 * `sentinelPush()`: proof that a socket was sent nothing it should not have been, without a
 * fixed sleep. The socket subscribes to a QR of its own and a phone scans it; that push
 * reaches the socket after everything the server sent it before the scan, because one
 * connection delivers in order (and across instances, the messages one instance publishes stay
 * in order). Once it has arrived, whatever else the socket was sent is already recorded.
 */
import { EVENTS } from '../../shared/protocol';
import type { Api } from './api';
import { gene, scan } from './flow';
import { type ClientSocket, waitUntil } from './sockets';

export interface RecordedPush {
  event: string;
  payload: unknown;
}

export interface SentinelOptions {
  /** Where the sentinel QR is created. */
  create: Api;
  /** Where the phone scans it: the instance whose earlier pushes the sentinel must follow. */
  scan: Api;
  /** The phone user scanning it (it takes one of the user's pending-scan places). */
  token: string;
}

/** The sentinel's push as `recordPushes` records it. */
export const sentinelScanned = (random: string): RecordedPush => ({
  event: EVENTS.scanned,
  payload: expect.objectContaining({ random }) as unknown,
});

/**
 * Subscribes `socket` to a fresh QR, scans it, and resolves with that QR's `random` once its
 * `qr:scanned` is among `pushes` (the socket's `recordPushes`).
 */
export async function sentinelPush(socket: ClientSocket, pushes: RecordedPush[], options: SentinelOptions): Promise<string> {
  const qr = await gene(options.create);
  const ack = await socket.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  if (!ack.ok) throw new Error(`the sentinel QR was refused: ${JSON.stringify(ack)}`);
  await scan(options.scan, options.token, qr.random);
  const isSentinel = (push: RecordedPush) =>
    push.event === EVENTS.scanned && (push.payload as { random?: unknown } | null)?.random === qr.random;
  await waitUntil(() => pushes.some(isSentinel), 5_000);
  return qr.random;
}
