/**
 * @module
 * `AppError`: the one error type the HTTP and socket boundaries turn into a wire error.
 * `detail` is appended to the public message (a field name, never a credential); `cause`
 * and anything else stay internal.
 */
import { ERRORS, type ErrorKey, type Lang, errorMessage } from '../shared/errors';

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly key: ErrorKey;
  readonly code: number;
  readonly detail: string | undefined;
  /** Seconds a client should wait, for rate limiting and outages. */
  readonly retryAfter: number | undefined;

  constructor(key: ErrorKey, options: { detail?: string; cause?: unknown; retryAfter?: number } = {}) {
    super(options.detail ? `${ERRORS[key].en}: ${options.detail}` : ERRORS[key].en, {
      cause: options.cause,
    });
    this.key = key;
    this.code = ERRORS[key].code;
    this.detail = options.detail;
    this.retryAfter = options.retryAfter;
  }

  /** The error as a client may see it. */
  toPayload(lang: Lang = 'en'): { code: number; message: string } {
    return { code: this.code, message: errorMessage(this.key, lang, this.detail) };
  }
}

/** Any thrown value as an `AppError`; unknown errors become a generic 500. */
export function toAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new AppError('INTERNAL', { cause: error });
}
