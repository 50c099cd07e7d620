/**
 * @module
 * The API documents: `GET /openapi.json` (OpenAPI 3.1), `GET /asyncapi.json` (AsyncAPI 3.0),
 * each built once, on first request, for this server's public URL; and `GET /docs`, the page
 * that renders the OpenAPI document (Swagger UI, from the build output: no CDN), under the
 * pages' security headers. The documents are public: any origin may read them.
 */
import { join } from 'node:path';
import express, { Router } from 'express';
import { buildAsyncApi } from '../docs/asyncapi';
import { buildOpenApi } from '../docs/openapi';
import { securityHeaders } from './pages';

export interface DocsOptions {
  /** The servers the documents name (`PUBLIC_URL`). */
  publicUrl: string;
  /** Where the built pages are (dist/public): `/docs` is served only with them. */
  publicDir?: string;
}

/** Seconds a cache may keep a document: it changes only with a new release. */
const MAX_AGE = 300;

/** A document as JSON text, made the first time it is asked for. */
function once(build: () => unknown): () => string {
  let text: string | undefined;
  return () => (text ??= JSON.stringify(build()));
}

export function docsRoutes(options: DocsOptions): Router {
  const router = Router();
  const documents = {
    '/openapi.json': once(() => buildOpenApi(options.publicUrl)),
    '/asyncapi.json': once(() => buildAsyncApi(options.publicUrl)),
  };
  for (const [path, text] of Object.entries(documents)) {
    router.get(path, (_req, res) => {
      res
        .set({
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': `public, max-age=${MAX_AGE}`,
          'Access-Control-Allow-Origin': '*',
          'X-Content-Type-Options': 'nosniff',
        })
        .send(text());
    });
  }
  if (options.publicDir) {
    const dir = join(options.publicDir, 'docs');
    router.get('/docs', securityHeaders, (_req, res) => {
      res.set('Cache-Control', 'no-cache').sendFile(join(dir, 'index.html'));
    });
    router.use('/docs', securityHeaders, express.static(dir, { index: false, redirect: false, maxAge: '5m' }));
  }
  return router;
}
