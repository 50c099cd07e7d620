/**
 * @module
 * `AppError`: the one error type the HTTP and socket boundaries turn into a wire error.
 * `detail` is appended to the public message (a field name, never a credential); `cause`
 * and anything else stay internal.
 */
import { ERRORS, type ErrorKey, type Lang, QR_STATE_REASONS, type QrStateReason, errorMessage } from '../shared/errors';

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly key: ErrorKey;
  readonly code: number;
  readonly detail: string | undefined;
  /** Seconds a client should wait, for rate limiting and outages. */
  readonly retryAfter: number | undefined;

  /** Why a phone action was refused (2243 only): sent as the envelope's `data.reason`. */
  readonly reason: QrStateReason | undefined;

  constructor(key: ErrorKey, options: { detail?: string; reason?: QrStateReason; cause?: unknown; retryAfter?: number } = {}) {
    const detail = options.detail ?? (options.reason ? QR_STATE_REASONS[options.reason] : undefined);
    super(detail ? `${ERRORS[key].en}: ${detail}` : ERRORS[key].en, {
      cause: options.cause,
    });
    this.key = key;
    this.code = ERRORS[key].code;
    this.detail = detail;
    this.reason = options.reason;
    this.retryAfter = options.retryAfter;
  }

  /** The error as a client may see it. */
  toPayload(lang: Lang = 'en'): { code: number; message: string; reason?: QrStateReason } {
    const payload = { code: this.code, message: errorMessage(this.key, lang, this.detail) };
    return this.reason ? { ...payload, reason: this.reason } : payload;
  }
}

/** Any thrown value as an `AppError`; unknown errors become a generic 500. */
export function toAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new AppError('INTERNAL', { cause: error });
}

/** A transition the state machine refused (shared/state-machine), as the client gets it. */
export function refusalOf(
  result: { error: 'QR_EXPIRED'; reason: 'expired' } | { error: 'QR_INVALID_STATE'; reason: QrStateReason },
): AppError {
  if (result.error === 'QR_EXPIRED') return new AppError('QR_EXPIRED', { detail: result.reason });
  return new AppError('QR_INVALID_STATE', { reason: result.reason });
}
