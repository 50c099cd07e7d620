// @ts-check
/**
 * Builds the example page (build.mjs) and serves it at http://localhost:5173: a site of its
 * own origin, as yours is. Environment: PORT (5173), HOST (localhost), and build.mjs's
 * QRLOGIN_HOST, QRLOGIN_APP. `npm run example:react` builds the packages first.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { URL } from 'node:url';
import { buildExample } from './build.mjs';

const PORT = Number(process.env.PORT ?? 5173);
const HOST = process.env.HOST ?? 'localhost';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

const dir = await buildExample();
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const file = normalize(path === '/' ? '/index.html' : path);
  readFile(join(dir, file)).then(
    (body) =>
      res
        .writeHead(200, { 'content-type': TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'application/octet-stream' })
        .end(body),
    () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
  );
});
server.listen(PORT, HOST, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : PORT;
  console.log(`example shop (React) on http://${HOST}:${port}`);
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => server.close(() => process.exit(0)));
