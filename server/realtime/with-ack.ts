/**
 * @module
 * The socket boundary: every client event runs through `withAck`, which answers
 * `{ok: true, data}` or `{ok: false, error: {code, message}}` and never lets an error cross
 * the wire or escape into Socket.IO. Unknown errors are logged and answered generically.
 */
import type { Lang } from '../../shared/errors';
import type { Ack, EmptyAck } from '../../shared/protocol';
import { toAppError } from '../errors';
import type { Logger } from '../logger';

type AckFn = (response: Ack<unknown> | EmptyAck) => void;

export function withAck<T>(
  event: string,
  lang: Lang,
  logger: Logger,
  handler: (payload: unknown) => Promise<T>,
): (payload: unknown, ack?: unknown) => void {
  return (payload, ack) => {
    // Without an ack the client could not learn the result; such emits are ignored.
    if (typeof ack !== 'function') return;
    const reply = ack as AckFn;
    handler(payload).then(
      (data) => reply(data === undefined ? { ok: true } : { ok: true, data }),
      (error: unknown) => {
        const appError = toAppError(error);
        if (appError.code === 500) logger.error('socket handler failed', { event, error, stack: error instanceof Error ? error.stack : undefined });
        reply({ ok: false, error: appError.toPayload(lang) });
      },
    );
  };
}
