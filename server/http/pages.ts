/**
 * @module
 * The demo website (`/`), the demo phone page (`/mobile`) and the web SDK (`/sdk/qrlogin.js`),
 * served from the build output with security headers.
 */
import { join } from 'node:path';
import express, { type RequestHandler, Router } from 'express';

/** Headers for every page and static file. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob: https:",
      "connect-src 'self' ws: wss:",
      "media-src 'self' blob:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; '),
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
  });
  next();
};

export function pageRoutes(publicDir: string): Router {
  const router = Router();
  router.use(securityHeaders);
  router.get('/mobile', (_req, res) => {
    res.sendFile(join(publicDir, 'mobile.html'));
  });
  router.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));
  return router;
}
