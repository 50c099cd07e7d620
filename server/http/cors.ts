/**
 * @module
 * CORS for browser calls to the API: an `Origin` the origin policy admits (of any app, or this
 * service's own) is echoed with credentials; any other, `null` included, is refused with 403.
 * Per-app origin checks follow in the routes once the app is known.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { OriginPolicy } from '../edge/origin-policy';
import { AppError } from '../errors';
import { originOf } from '../edge/request-info';

/** Headers a browser may send: `content-type, authorization, x-authing-*, x-qrlogin-secret`. */
const ALLOWED_HEADER = /^(content-type|authorization|x-authing-[a-z0-9-]+|x-qrlogin-secret)$/;

/**
 * Sets the CORS headers of a request with an `Origin`; returns whether that origin is admitted
 * (`null`: no `Origin`, not a browser's cross-origin call).
 */
function corsHeaders(origins: OriginPolicy, req: IncomingMessage, res: ServerResponse): boolean | null {
  const origin = originOf(req.headers);
  if (origin === null) return null;
  const allowed = origins.admits(origin);
  const vary = res.getHeader('Vary');
  if (vary === undefined) res.setHeader('Vary', 'Origin');
  else if (
    !String(vary)
      .split(',')
      .some((name) => ['origin', '*'].includes(name.trim().toLowerCase()))
  )
    res.setHeader('Vary', `${String(vary)}, Origin`);
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  }
  return allowed;
}

/** CORS for a request that is not a preflight: its headers, or FORBIDDEN for a refused origin. */
export function applyCors(origins: OriginPolicy, req: IncomingMessage, res: ServerResponse): void {
  if (corsHeaders(origins, req, res) === false)
    throw new AppError('FORBIDDEN', { detail: `${originOf(req.headers) ?? ''} is not an allowed origin` });
}

/** The `/api/*` middleware of the requests Express serves: preflights, then {@link applyCors}. */
export function cors(origins: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') {
      applyCors(origins, req, res);
      next();
      return;
    }
    const allowed = corsHeaders(origins, req, res);
    if (allowed === null) {
      next();
      return;
    }
    if (!allowed) {
      res.status(403).end();
      return;
    }
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => ALLOWED_HEADER.test(name));
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}
