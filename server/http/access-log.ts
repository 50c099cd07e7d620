/**
 * @module
 * The access log: one `info` line per HTTP request once its answer is sent, `{method, route,
 * status, ms, ip}`. `route` is the route pattern that answered (Express's, or the lane's: ./lane.ts)
 * (`/api/v2/qrcode/check`, `/oidc/interaction/:uid`), or the path when none did; never a
 * query string, where secrets travel (`?random=…&secret=…`, `id_token_hint`). The line is
 * written on `finish`, after the answer, so it never delays one. Socket.IO's own requests
 * never reach Express and are not logged here. Probes and scrapes that answer 2xx (`/livez`,
 * `/readyz`, `/metrics`: a steady stream from orchestrators and Prometheus) are `debug`.
 */
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger';

/** Routes that orchestrators and monitoring call every few seconds. */
const PROBES: ReadonlySet<string> = new Set(['/livez', '/readyz', '/metrics']);

/** The pattern of the route that answered, else the path; neither carries the query. */
export function routeOf(req: Request): string {
  const pattern = (req as { route?: { path?: unknown } }).route?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  return req.originalUrl.split('?')[0] ?? '';
}

export interface AnsweredRequest {
  method: string;
  /** Read once the answer is sent: Express knows its route only after dispatch. */
  route: () => string;
  ip: string | (() => string);
}

/** Writes the request's line once `res` is answered (or the client left first). */
export function logWhenAnswered(logger: Logger, res: ServerResponse, request: AnsweredRequest): void {
  const started = performance.now();
  let written = false;
  const write = (aborted: boolean) => {
    if (written) return;
    written = true;
    const route = request.route();
    const status = res.statusCode;
    const level = PROBES.has(route) && status < 300 ? 'debug' : 'info';
    logger[level]('request', {
      method: request.method,
      route,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ip: typeof request.ip === 'string' ? request.ip : request.ip(),
      // The client left before the answer was sent in full.
      ...(aborted ? { aborted: true } : {}),
    });
  };
  res.once('finish', () => write(false));
  res.once('close', () => write(!res.writableFinished));
}

/** The access log of the requests Express serves (http/lane.ts logs its own). */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    logWhenAnswered(logger, res, { method: req.method, route: () => routeOf(req), ip: () => req.ip ?? '' });
    next();
  };
}
