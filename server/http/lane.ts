/**
 * @module
 * The hot lane: the requests of a login (`/api/v2/qrcode/*`, the QR image, the probes) are
 * answered here, in front of Express, which serves everything else. Express's dispatch (its
 * request and response prototypes swapped in per request, then a walk over every mounted layer
 * until one matches) made `GET /livez` cost 0.39 ms of CPU here against the bare floor's 0.12 ms,
 * and this lane took it to 0.19 ms (bench/runs/2026-12-04-lane-step-cost.txt). A lane route is one map
 * lookup away and passes the same steps Express's middleware gives it, in the same order:
 * the access log and the HTTP timing metric, CORS (for `/api/*`), the JSON body, the handler,
 * and one error handler that answers as Express's does (http/error-handler.ts).
 *
 * Matching follows Express's defaults, so a client sees no difference: paths are
 * case-insensitive, one trailing slash is ignored, `HEAD` is served by the `GET` route (Node
 * sends no body for it), and an `OPTIONS` without `Origin` is told the route's methods
 * (`Allow`), as Express's router answers it. A request target in absolute form
 * (`http://host/path`, RFC 9112 §3.2.2) or with a fragment is read for its path, as Express's
 * URL parser reads it. Everything else goes on to Express, CORS preflights (`OPTIONS` with
 * `Origin`) included.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type ParsedUrlQuery, parse as parseQuery } from 'node:querystring';
import type { OriginPolicy } from '../edge/origin-policy';
import { type TrustFunction, clientIp, protocolOf } from '../edge/request-info';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/registry';
import { MAX_JSON_BODY } from './api-middleware';
import { logWhenAnswered } from './access-log';
import { applyCors } from './cors';
import { answerError } from './error-handler';
import { readJsonBody } from './json-body';

/** What a lane handler reads of its request: parsed once, as Express's `req` would give it. */
export interface LaneRequest {
  readonly raw: IncomingMessage;
  readonly headers: IncomingMessage['headers'];
  /** The client address, behind trusted proxies only (Express's `req.ip`). */
  readonly ip: string;
  /** HTTPS, directly or as a trusted proxy says (Express's `req.secure`). */
  readonly secure: boolean;
  /** The query string, parsed as Express's default ("simple") parser does. */
  readonly query: ParsedUrlQuery;
  /** The JSON body of an `/api/*` request (`undefined` without a JSON body). */
  readonly body: unknown;
}

export interface LaneRoute {
  method: 'GET' | 'POST';
  /** The exact path, as in shared/http.ts `API`; also the route label of logs and metrics. */
  path: string;
  handle(req: LaneRequest, res: ServerResponse): Promise<void> | void;
}

export interface LaneDeps {
  origins: OriginPolicy;
  trust: TrustFunction;
  logger: Logger;
  metrics: Pick<Metrics, 'enabled' | 'httpRequest'>;
}

/** The lookup key of a request: Express's case-insensitive, non-strict matching. */
function keyOf(method: string, pathname: string): string {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return `${method === 'HEAD' ? 'GET' : method} ${path.toLowerCase()}`;
}

/** `/path?query` of a request target: as sent when it is one, else its parts (absolute form, a fragment). */
function plainTarget(target: string): string | null {
  if (target.startsWith('/') && !target.includes('#')) return target;
  try {
    const parsed = new URL(target, 'http://localhost');
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return null;
  }
}

/** A request listener that answers `routes` itself and hands every other request to `next`. */
export function createLane(routes: readonly LaneRoute[], deps: LaneDeps, next: RequestListener): RequestListener {
  const table = new Map<string, LaneRoute>();
  for (const route of routes) {
    const key = keyOf(route.method, route.path);
    if (table.has(key)) throw new Error(`two lane routes for ${key}`);
    table.set(key, route);
  }
  // The methods of each path, for `OPTIONS` (Express's `Allow`: a GET route allows HEAD too).
  const allowed = new Map<string, string[]>();
  for (const route of routes) {
    const path = keyOf('', route.path).slice(1);
    const methods = allowed.get(path) ?? [];
    methods.push(...(route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]));
    allowed.set(path, methods);
  }
  const { origins, trust, logger, metrics } = deps;

  return (req, res) => {
    const url = plainTarget(req.url ?? '/');
    if (url === null) {
      next(req, res);
      return;
    }
    const mark = url.indexOf('?');
    const pathname = mark < 0 ? url : url.slice(0, mark);
    const route = table.get(keyOf(req.method ?? '', pathname));
    if (!route) {
      const methods = req.method === 'OPTIONS' && req.headers.origin === undefined ? allowed.get(keyOf('', pathname).slice(1)) : undefined;
      if (methods) {
        const allow = [...methods].sort().join(', ');
        res
          .writeHead(200, { Allow: allow, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(allow) })
          .end(allow);
        return;
      }
      next(req, res);
      return;
    }
    const ip = clientIp(req, trust);
    logWhenAnswered(logger, res, { method: req.method ?? '', route: () => route.path, ip });
    if (metrics.enabled) {
      const started = process.hrtime.bigint();
      res.once('finish', () => metrics.httpRequest(route.path, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    }
    const api = route.path.startsWith('/api/');
    void serve(route, req, res, { ip, api, query: mark < 0 ? '' : url.slice(mark + 1) }).catch((error: unknown) =>
      answerError(logger, error, req, res, route.path),
    );
  };

  async function serve(route: LaneRoute, req: IncomingMessage, res: ServerResponse, at: { ip: string; api: boolean; query: string }) {
    if (at.api) applyCors(origins, req, res);
    const body = at.api ? await readJsonBody(req, MAX_JSON_BODY) : undefined;
    await route.handle(
      {
        raw: req,
        headers: req.headers,
        ip: at.ip,
        // Only `gene` asks (its cookie's `Secure`): judged then, not for every request.
        get secure() {
          return protocolOf(req, trust) === 'https';
        },
        query: parseQuery(at.query),
        body,
      },
      res,
    );
  }
}
