/**
 * @module
 * CORS for browser calls to the API: an `Origin` the origin policy admits (of any app, or this
 * service's own) is echoed with credentials; any other, `null` included, is refused with 403.
 * Per-app origin checks follow in the routes once the app is known.
 */
import type { RequestHandler } from 'express';
import type { OriginPolicy } from '../edge/origin-policy';
import { AppError } from '../errors';
import { originOf } from '../edge/request-info';

/** Headers a browser may send: `content-type, authorization, x-authing-*, x-qrlogin-secret`. */
const ALLOWED_HEADER = /^(content-type|authorization|x-authing-[a-z0-9-]+|x-qrlogin-secret)$/;

export function cors(origins: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    const origin = originOf(req.headers);
    if (origin === null) {
      next();
      return;
    }
    const allowed = origins.admits(origin);
    res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
    if (req.method === 'OPTIONS') {
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
      return;
    }
    if (!allowed) throw new AppError('FORBIDDEN', { detail: `${origin} is not an allowed origin` });
    next();
  };
}
