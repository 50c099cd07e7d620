/**
 * @module
 * `/livez` (the process answers) and `/readyz` (it can serve: not shutting down and the store
 * answers). Load balancers route on `/readyz`; orchestrators restart on `/livez`.
 */
import { writeJson } from './envelope';
import type { LaneRoute } from './lane';

export interface Readiness {
  /** Resolves when ready; rejects with the reason when not. */
  check(): Promise<void>;
}

/** The probes, served by the hot lane (./lane.ts): orchestrators call them every few seconds. */
export function healthRoutes(readiness: Readiness): LaneRoute[] {
  return [
    { method: 'GET', path: '/livez', handle: (_req, res) => writeJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handle: async (_req, res) => {
        try {
          await readiness.check();
          writeJson(res, 200, { status: 'ready' });
        } catch (error) {
          writeJson(res, 503, { status: 'not ready', reason: error instanceof Error ? error.message : 'unknown' });
        }
      },
    },
  ];
}
