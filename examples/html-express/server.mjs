/**
 * The backend of the example shop: serves index.html and signs people in with @qrlogin/node.
 * Environment (defaults in parentheses):
 *   QRLOGIN_HOST       where qrlogin runs (http://localhost:3000)
 *   PORT               this site's port (5500)
 *   QRLOGIN_APP_SECRET the app secret of `shop` in apps.json (the example's development secret)
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { qrLoginMiddleware } from '@qrlogin/node';

const QRLOGIN_HOST = (process.env.QRLOGIN_HOST ?? 'http://localhost:3000').replace(/\/+$/, '');
const PORT = Number(process.env.PORT ?? 5500);
// Development only: a real site keeps its secret out of the code (an environment variable).
const APP_SECRET = process.env.QRLOGIN_APP_SECRET ?? 'example-shop-secret-change-me';

/** Signed-in sessions by cookie value (a real site uses its session store). */
const sessions = new Map();

/** The value of cookie `name` in the request, or undefined. */
function cookieOf(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

const page = (await readFile(join(dirname(fileURLToPath(import.meta.url)), 'index.html'), 'utf8')).replaceAll(
  'http://localhost:3000',
  QRLOGIN_HOST,
);

const app = express();

app.get('/', (_req, res) => {
  res.type('html').send(page);
});

// The page POSTs {ticket} here once the phone approved: exchange it, verify the ID token, start a session.
app.post(
  '/auth/qrlogin',
  express.json(),
  qrLoginMiddleware({
    host: QRLOGIN_HOST,
    appId: 'shop',
    appSecret: APP_SECRET,
    onLogin(user, _req, res) {
      const sid = randomUUID();
      sessions.set(sid, { id: user.id, nickname: user.nickname, username: user.username });
      res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax', path: '/' });
      console.log(`signed in: ${user.nickname} (${user.id})`);
      // No answer: the middleware answers 200 {"user": {id, username, nickname, …}}.
    },
  }),
);

app.get('/api/me', (req, res) => {
  const user = sessions.get(cookieOf(req, 'sid'));
  if (user) res.json({ user });
  else res.status(401).json({ error: 'not_signed_in' });
});

app.post('/auth/logout', (req, res) => {
  sessions.delete(cookieOf(req, 'sid'));
  res.clearCookie('sid', { path: '/' }).json({ ok: true });
});

// Configuration problems (a wrong app secret, an issuer that does not match) land here.
app.use((error, _req, res, next) => {
  if (res.headersSent) return next(error);
  console.error(`qrlogin sign-in failed: ${error.name}: ${error.message}`);
  res.status(500).json({ error: 'internal' });
});

app.listen(PORT, () => {
  console.log(`Example shop on http://localhost:${PORT} (qrlogin at ${QRLOGIN_HOST})`);
});
