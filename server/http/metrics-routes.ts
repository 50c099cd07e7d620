/**
 * @module
 * `GET /metrics`, the Prometheus text format: served to loopback and private addresses (the
 * client address as Express judges it under `TRUST_PROXY`), or to anyone presenting
 * `Authorization: Bearer <METRICS_TOKEN>`; 403 otherwise. The token is compared in constant
 * time and never echoed or logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request, Router } from 'express';
import proxyAddr from 'proxy-addr';
import type { Metrics } from '../metrics/registry';

/**
 * 127.0.0.0/8, ::1, 10/8, 172.16/12, 192.168/16 and fc00::/7, IPv4-mapped IPv6 forms included
 * (proxy-addr's named ranges, the same code that judges `TRUST_PROXY`).
 */
const isPrivateAddress: (address: string) => boolean = (() => {
  const trusted = proxyAddr.compile(['loopback', 'uniquelocal']);
  return (address) => trusted(address, 0);
})();

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether `Authorization: Bearer X` carries `token` (compared as SHA-256 digests, in constant time). */
export function presentsToken(authorization: string | undefined, token: string | null): boolean {
  if (token === null || authorization === undefined) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

export function metricsRoutes(metrics: Metrics, token: string | null): Router {
  const router = Router();
  const admitted = (req: Request) => {
    const ip = req.ip;
    return (ip !== undefined && isPrivateAddress(ip)) || presentsToken(req.headers.authorization, token);
  };
  router.get('/metrics', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!admitted(req)) {
      res
        .status(403)
        .type('text/plain')
        .send('forbidden: /metrics is served to private addresses, or with the bearer token METRICS_TOKEN\n');
      return;
    }
    const text = await metrics.scrape();
    res.set('Content-Type', metrics.contentType).send(text);
  });
  return router;
}
