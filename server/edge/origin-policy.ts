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
import { onceEvery } from '../log-throttle';
import { type AppConfig, originAllowed } from '../domain/app';
import { ORIGIN_REFUSED_DETAIL } from '../../shared/errors';
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

/** Told of every refused page origin, with the app it asked for (null: no app allows it). */
export type OnRefusedOrigin = (origin: string, appId: string | null) => void;

export function createOriginPolicy(
  apps: readonly AppConfig[],
  publicUrl: string,
  onRefused: OnRefusedOrigin = () => undefined,
): OriginPolicy {
  const own = new URL(publicUrl).origin;
  const allows = (app: AppConfig, origin: string) => origin === own || originAllowed(app, origin);
  return {
    admits(origin) {
      if (origin === null || apps.some((app) => allows(app, origin))) return true;
      onRefused(origin, null);
      return false;
    },
    assertFor(app, origin) {
      if (origin === null || allows(app, origin)) return;
      onRefused(origin, app.id);
      throw new AppError('FORBIDDEN', { detail: ORIGIN_REFUSED_DETAIL });
    },
  };
}

/**
 * `onRefused` that logs each (origin, app) at `warn` once a minute, as `event: "origin.refused"`:
 * a misconfigured site shows up in the log with what to change, and a flood of refused
 * requests does not flood it.
 */
export function logRefusedOrigins(warn: (message: string, fields: Record<string, unknown>) => void, now: () => number): OnRefusedOrigin {
  const due = onceEvery(60_000, now);
  return (origin, appId) => {
    if (!due(`${appId ?? ''} ${origin}`)) return;
    warn(
      appId === null
        ? 'refused a page origin that no app lists: add it to the origins of the app it belongs to'
        : `refused a page origin for app "${appId}": add it to that app's origins if the page is yours`,
      { event: 'origin.refused', origin, app: appId },
    );
  };
}
