/**
 * @module
 * The socket boundary: every client event runs through `withAck`, which answers
 * `{ok: true, data}` or `{ok: false, error: {code, message}}` and never lets an error cross
 * the wire or escape into Socket.IO. Unknown errors are logged and answered generically. The
 * handler's result is typed by the event's ack in `ClientToServerEvents`.
 */
import type { Lang } from '../../shared/errors';
import type { ClientToServerEvents } from '../../shared/protocol';
import { toAppError } from '../errors';
import type { Logger } from '../logger';

type ClientEvent = keyof ClientToServerEvents;
/** The answer an event's ack takes. */
type ReplyOf<E extends ClientEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
/** What the handler of an event resolves with: the ack's `data`, or nothing for an empty ack. */
export type ResultOf<E extends ClientEvent> = Extract<ReplyOf<E>, { ok: true }> extends { data: infer T } ? T : undefined;

export function withAck<E extends ClientEvent>(
  event: E,
  lang: Lang,
  logger: Logger,
  handler: (payload: unknown) => Promise<ResultOf<E>>,
): (payload: unknown, ack?: unknown) => void {
  return (payload, ack) => {
    // Without an ack the client could not learn the result; such emits are ignored.
    if (typeof ack !== 'function') return;
    // The wire gives no types: the ack is the function ClientToServerEvents says it is.
    const reply = ack as (response: ReplyOf<E>) => void;
    handler(payload).then(
      (data) => reply((data === undefined ? { ok: true } : { ok: true, data }) as ReplyOf<E>),
      (error: unknown) => {
        const appError = toAppError(error);
        if (appError.code === 500)
          logger.error('socket handler failed', { event, error, stack: error instanceof Error ? error.stack : undefined });
        reply({ ok: false, error: appError.toPayload(lang) } as ReplyOf<E>);
      },
    );
  };
}
