/**
 * @module
 * The Authing-compatible envelope `{code, message, data}` (PROTOCOL §2).
 */
import type { ServerResponse } from 'node:http';
import type { Envelope } from '../../shared/http';
import type { AppError } from '../errors';
import type { Lang, QrStateReason } from '../../shared/errors';

/**
 * Writes a JSON answer (an envelope, a probe's status). API answers carry credentials (a browser secret, a ticket, an ID
 * or user token), so no cache keeps them (`no-store`) and no browser guesses their type
 * (`nosniff`). Express's `res.json` would only add work: an ETag (a hash of every body) nobody
 * revalidates, and content-type negotiation. Headers set earlier (CORS, Retry-After) are kept.
 */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

export function sendOk<T>(res: ServerResponse, data: T): void {
  const body: Envelope<T> = { code: 200, message: 'success', data };
  writeJson(res, 200, body);
}

/**
 * Sends an error envelope. `/api/v2/*` keeps HTTP 200 except 413 and 429 (PROTOCOL §2);
 * elsewhere the HTTP status follows the code.
 */
export function sendError(res: ServerResponse, error: AppError, lang: Lang, api: boolean): void {
  const payload = error.toPayload(lang);
  const keepsStatus = error.code === 413 || error.code === 429;
  const status = api && !keepsStatus ? 200 : error.code >= 400 && error.code < 600 ? error.code : 400;
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
  const { reason, ...rest } = payload;
  // 2243 says why in `data.reason` (QR_STATE_REASONS); every other error has no data.
  const body: Envelope<{ reason: QrStateReason }> = { ...rest, data: reason ? { reason } : null };
  writeJson(res, status, body);
}
