/**
 * @module
 * `/livez` (the process answers) and `/readyz` (it can serve: not shutting down and the store
 * answers). Load balancers route on `/readyz`; orchestrators restart on `/livez`.
 */
import { Router } from 'express';

export interface Readiness {
  /** Resolves when ready; rejects with the reason when not. */
  check(): Promise<void>;
}

export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await readiness.check();
      res.json({ status: 'ready' });
    } catch (error) {
      res.status(503).json({ status: 'not ready', reason: error instanceof Error ? error.message : 'unknown' });
    }
  });
  return router;
}
