/**
 * @module
 * The HTTP timing middleware: each request's duration, from the app's first middleware to its
 * answer's last byte handed to the socket (`finish`), by the Express route pattern that
 * answered (never the raw URL: ids and query strings would make a series per request) and
 * the status class.
 */
import type { Request, RequestHandler } from 'express';
import { UNMATCHED_ROUTE } from './names';
import type { Metrics } from './registry';

/** The pattern of the route that matched (`/api/v2/sessions/:id`), or {@link UNMATCHED_ROUTE}. */
export function routeOf(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  return route?.path === undefined ? UNMATCHED_ROUTE : `${req.baseUrl}${String(route.path)}`;
}

export function httpTiming(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => metrics.httpRequest(routeOf(req), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    next();
  };
}
