// @ts-check
/**
 * Builds the example page (build.mjs) and serves it at http://localhost:5173: a site of its
 * own origin, as yours is. Its one backend route, `POST /api/session {token}`, is what a site's
 * backend does with the ID token the page got: verify it with `@qrlogin/node` (issuer, audience =
 * the app id, signature against qrlogin's published keys) before trusting who signed in.
 * Environment: PORT (5173), EXAMPLE_HOST (localhost), QRLOGIN_ISSUER (qrlogin's ISSUER, default
 * QRLOGIN_HOST), and build.mjs's QRLOGIN_HOST, QRLOGIN_APP. `npm run example:react` builds the
 * packages first.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { URL } from 'node:url';
import { QrLoginTokenError, verifyIdToken } from '@qrlogin/node';
import { buildExample } from './build.mjs';

const PORT = Number(process.env.PORT ?? 5173);
// Not HOST: some shells (zsh) set it to the machine's name.
const HOST = process.env.EXAMPLE_HOST ?? 'localhost';
const QRLOGIN_HOST = (process.env.QRLOGIN_HOST ?? 'http://localhost:3000').replace(/\/+$/, '');
const ISSUER = process.env.QRLOGIN_ISSUER ?? QRLOGIN_HOST;
const APP_ID = process.env.QRLOGIN_APP ?? 'shop';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

/**
 * The JSON body of a request, at most 16 KB.
 * @param {import('node:http').IncomingMessage} req
 */
async function jsonBody(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 16_384) throw new Error('body too large');
  }
  return JSON.parse(text);
}

/**
 * `POST /api/session {token}`: 200 `{user}` once the ID token checks out, 401 `{error}` when it
 * does not (`invalid`, `expired`), 502 when qrlogin's keys are out of reach. Here a real site
 * would start its session (a cookie) for `claims.sub`.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function session(req, res) {
  /** @param {number} status @param {unknown} body */
  const answer = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  let token;
  try {
    token = (await jsonBody(req)).token;
  } catch {
    return answer(400, { error: 'bad_request' });
  }
  if (typeof token !== 'string') return answer(400, { error: 'token_required' });
  try {
    const claims = await verifyIdToken(token, { issuer: ISSUER, audience: APP_ID });
    return answer(200, { user: { id: claims.sub, nickname: claims.nickname } });
  } catch (error) {
    if (!(error instanceof QrLoginTokenError)) throw error;
    return answer(error.code === 'unreachable' ? 502 : 401, { error: error.code });
  }
}

const dir = await buildExample();
const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/api/session') {
    session(req, res).catch(() => res.writeHead(500).end());
    return;
  }
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
