/**
 * @module
 * The app registry: which websites may use this qrlogin, and with which options.
 */
import type { Config } from '../config';
import type { AppConfig } from '../domain/app';
import { AppError } from '../errors';

export interface AppRegistry {
  /** The app, or undefined. */
  get(id: string): AppConfig | undefined;
  /** The app a request names (or the default app); `FORBIDDEN` when unknown. */
  resolve(id: string | null | undefined): AppConfig;
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
  };
}
