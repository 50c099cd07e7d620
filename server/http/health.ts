/**
 * @module
 * `/livez` (the process answers) and `/readyz` (it can serve: not shutting down and the store
 * answers). Load balancers route on `/readyz`; orchestrators restart on `/livez`.
 */
import type { ServerResponse } from 'node:http';
import type { LaneRoute } from './lane';

export interface Readiness {
  /** Resolves when ready; rejects with the reason when not. */
  check(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    })
    .end(text);
}

/** The probes, served by the hot lane (./lane.ts): orchestrators call them every few seconds. */
export function healthRoutes(readiness: Readiness): LaneRoute[] {
  return [
    { method: 'GET', path: '/livez', handle: (_req, res) => answer(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handle: async (_req, res) => {
        try {
          await readiness.check();
          answer(res, 200, { status: 'ready' });
        } catch (error) {
          answer(res, 503, { status: 'not ready', reason: error instanceof Error ? error.message : 'unknown' });
        }
      },
    },
  ];
}
