/**
 * @module
 * The one origin policy of both transports (HTTP CORS and routes, the Socket.IO handshake and
 * `qr:create`/`qr:subscribe`):
 * - a request without an `Origin` header is not from a web page (a backend, a phone app, curl)
 *   and is not an origin question;
 * - any `Origin` header is a browser, `null` included (sandboxed iframes, `file:`, opaque
 *   redirects): `null` passes only for an app that lists `"null"` itself;
 * - this service's own origin is `PUBLIC_URL`'s, never derived from the request's `Host`
 *   (a DNS-rebound name would otherwise be "self").
 */
import { type AppConfig, originAllowed } from '../domain/app';
import { AppError } from '../errors';

export interface OriginPolicy {
  /**
   * Whether a page at `origin` may talk to this service at all: the gate of CORS and of the
   * socket handshake. `null` (no `Origin` header) is not a page and passes.
   */
  admits(origin: string | null): boolean;
  /** Throws `FORBIDDEN` unless a page at `origin` (null: not a page) may use `app`. */
  assertFor(app: AppConfig, origin: string | null): void;
}

export function createOriginPolicy(apps: readonly AppConfig[], publicUrl: string): OriginPolicy {
  const own = new URL(publicUrl).origin;
  const allows = (app: AppConfig, origin: string) => origin === own || originAllowed(app, origin);
  return {
    admits(origin) {
      return origin === null || apps.some((app) => allows(app, origin));
    },
    assertFor(app, origin) {
      if (origin === null || allows(app, origin)) return;
      throw new AppError('FORBIDDEN', { detail: 'origin not allowed for this app' });
    },
  };
}
