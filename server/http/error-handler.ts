/**
 * @module
 * The one place HTTP errors become answers. Express 5 routes async rejections here.
 * Body-parser failures become 400/413 naming the problem; anything unknown becomes a generic
 * 500 and one log line (name, message, stack: never a request body or header).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { sendError } from './envelope';
import { langOf } from '../edge/request-info';

const isApi = (path: string) => path.startsWith('/api/');

/** The `type`s http/json-body.ts gives a body it cannot read (body-parser's names). */
const PARSE_DETAIL: Record<string, string> = {
  'entity.parse.failed': 'malformed JSON body',
  'encoding.unsupported': 'unsupported content encoding',
  'charset.unsupported': 'unsupported charset',
  'request.aborted': 'request aborted',
  'request.size.invalid': 'request size did not match content-length',
};

function classify(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (typeof error !== 'object' || error === null) return null;
  const { type, status } = error as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE');
  if (typeof type === 'string' && type in PARSE_DETAIL) return new AppError('INVALID_REQUEST', { detail: PARSE_DETAIL[type] });
  // Other client errors raised by Express itself (e.g. a malformed URI): 400, generic.
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError('INVALID_REQUEST');
  return null;
}

/**
 * Answers a request that failed with `error`: its envelope, or a generic 500 and one log line
 * for an error nobody expected. `path` is the request's path (never its query).
 */
export function answerError(logger: Logger, error: unknown, req: IncomingMessage, res: ServerResponse, path: string): void {
  let appError = classify(error);
  if (!appError) {
    logger.error('unhandled error', {
      method: req.method,
      path,
      error,
      stack: error instanceof Error ? error.stack : undefined,
    });
    appError = new AppError('INTERNAL');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  sendError(res, appError, langOf(req.headers), isApi(path));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => answerError(logger, error, req, res, req.path);
}

/** Unknown `/api/*` paths get an envelope 404 (HTTP 404: they are not endpoints). */
export const apiNotFound: RequestHandler = (req, res) => {
  const path = req.originalUrl.split('?')[0] ?? '';
  sendError(res, new AppError('NOT_FOUND', { detail: `${req.method} ${path.slice(0, 200)}` }), langOf(req.headers), false);
};
