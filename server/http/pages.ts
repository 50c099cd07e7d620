/**
 * @module
 * The web SDK (`/sdk/qrlogin.js`), and outside production the demo website (`/`) and the demo
 * phone page (`/mobile`), served from the build output with security headers.
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

/**
 * The web SDK and the OpenID Connect login page's files, always (websites load them from
 * here), and the demo pages when `demo` is on
 * (`DEMO_PAGES`; off in production, where `/` would run the widget for a real app).
 */
export function pageRoutes(publicDir: string, options: { demo: boolean }): Router {
  const router = Router();
  router.use(securityHeaders);
  router.use('/sdk', express.static(join(publicDir, 'sdk'), { index: false, maxAge: '5m' }));
  // The OpenID Connect login page's script and style (server/oidc/login-page.ts).
  router.use('/oidc', express.static(join(publicDir, 'oidc'), { index: false, maxAge: '5m' }));
  if (!options.demo) return router;
  router.get('/mobile', (_req, res) => {
    res.sendFile(join(publicDir, 'mobile.html'));
  });
  router.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));
  return router;
}
