/**
 * @module
 * The Authing-compatible envelope `{code, message, data}` (PROTOCOL §2).
 */
import type { Response } from 'express';
import type { Envelope } from '../../shared/http';
import type { AppError } from '../errors';
import type { Lang } from '../../shared/errors';

export function sendOk<T>(res: Response, data: T): void {
  const body: Envelope<T> = { code: 200, message: 'success', data };
  res.json(body);
}

/**
 * Sends an error envelope. `/api/v2/*` keeps HTTP 200 except 413 and 429 (PROTOCOL §2);
 * elsewhere the HTTP status follows the code.
 */
export function sendError(res: Response, error: AppError, lang: Lang, api: boolean): void {
  const payload = error.toPayload(lang);
  const keepsStatus = error.code === 413 || error.code === 429;
  const status = api && !keepsStatus ? 200 : error.code >= 400 && error.code < 600 ? error.code : 400;
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
  const body: Envelope<null> = { ...payload, data: null };
  res.status(status).json(body);
}
