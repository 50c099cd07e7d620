/**
 * @module
 * The app registry: which websites may use this qrlogin, and with which options.
 */
import type { AppConfig, Config } from '../config';
import { originAllowed } from '../config';
import { AppError } from '../errors';

export interface AppRegistry {
  /** The app, or undefined. */
  get(id: string): AppConfig | undefined;
  /** The app a request names (or the default app); `FORBIDDEN` when unknown. */
  resolve(id: string | null | undefined): AppConfig;
  /** Whether a browser origin may use any app (the gate for CORS and socket handshakes). */
  anyAllows(origin: string): boolean;
  /** Throws `FORBIDDEN` unless `origin` (null: not a browser) may use `app`. */
  assertOrigin(app: AppConfig, origin: string | null, selfOrigins: readonly string[]): void;
}

export function createAppRegistry(config: Config): AppRegistry {
  const apps = new Map(config.apps.map((app) => [app.id, app]));
  const get = (id: string) => apps.get(id);
  return {
    get,
    resolve(id) {
      const app = get(id || config.defaultAppId);
      if (!app) throw new AppError('FORBIDDEN', { detail: 'unknown app' });
      return app;
    },
    anyAllows(origin) {
      return config.apps.some((app) => originAllowed(app, origin));
    },
    assertOrigin(app, origin, selfOrigins) {
      if (origin === null || selfOrigins.includes(origin) || originAllowed(app, origin)) return;
      throw new AppError('FORBIDDEN', { detail: 'origin not allowed for this app' });
    },
  };
}
