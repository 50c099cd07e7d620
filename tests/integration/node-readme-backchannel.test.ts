/**
 * @qrlogin/node's README back-channel endpoint works as written: its Express snippet (only the
 * issuer literal and the port replaced, plus a test-only route that shows its session store)
 * runs with node against a real qrlogin whose app `shop` names that endpoint as its
 * `backchannelLogoutUri`. A QR login starts a session holding the ID token's `sid`; the phone
 * signs that browser out (`DELETE /api/v2/sessions/:id`); qrlogin's logout token reaches the
 * endpoint, `verifyLogoutToken` accepts it, and the session is gone. An ID token posted in its
 * place is refused with 400.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QrLoginMobileClient } from '@qrlogin/mobile';
import { API, type CheckData } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { gene } from '../helpers/flow';
import { freePort } from '../helpers/redis-server';
import { ROOT, type TestServer, startServer, testApp, withApps } from '../helpers/server';
import { type SiteProcess, linkNodeModules, startProcess } from '../helpers/site-login';

const SECRET = 'shop-app-secret-0123456789abcdef';
let qrlogin: TestServer;
let site: SiteProcess;
let siteUrl = '';
let dir = '';

/** The first `js` block of the README's `verifyLogoutToken` section. */
function snippet(): string {
  const readme = readFileSync(join(ROOT, 'client', 'node', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## `verifyLogoutToken('));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no js block in the verifyLogoutToken section');
  return block;
}

beforeAll(async () => {
  const port = await freePort();
  siteUrl = `http://127.0.0.1:${port}`;
  qrlogin = await startServer({
    configure: withApps((config) =>
      testApp(config, {
        id: 'shop',
        secret: SECRET,
        allowBrowserExchange: false,
        backchannelLogoutUri: `${siteUrl}/auth/backchannel-logout`,
      }),
    ),
  });
  const code = snippet();
  expect(code).toContain("const ISSUER = 'https://login.example.com';");
  expect(code).toContain('app.listen(5500);');
  const written =
    code
      .replace("'https://login.example.com'", `'${qrlogin.config.issuer}'`)
      .replace('app.listen(5500);', `app.listen(${port}, '127.0.0.1', () => console.log('site ready'));`) +
    // Test only: what the site's session store holds.
    "\napp.get('/test/sessions', (req, res) => res.json([...sessions.values()]));\n";
  dir = await mkdtemp(join(tmpdir(), 'qrlogin-readme-backchannel-'));
  writeFileSync(join(dir, 'site.mjs'), written);
  linkNodeModules(dir);
  site = await startProcess(process.execPath, ['site.mjs'], { cwd: dir, env: { QRLOGIN_APP_SECRET: SECRET }, ready: /site ready/ });
});

afterAll(async () => {
  await site?.stop();
  await qrlogin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const siteSessions = async () => (await (await fetch(`${siteUrl}/test/sessions`)).json()) as { userId: string; sid?: string }[];

test('signed out from the phone, the README endpoint ends the session that had the sid', async () => {
  const http = api(qrlogin.url);
  const phone = new QrLoginMobileClient({ host: qrlogin.url });
  const { user } = await phone.register({
    username: `bc_${Math.random().toString(36).slice(2, 10)}`,
    password: 'correct horse battery',
    nickname: 'Back Channel',
  });
  const qr = await gene(http, { 'x-authing-app-id': 'shop' });
  await phone.scanned(qr);
  await phone.confirm(qr);
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  const login = await fetch(`${siteUrl}/auth/qrlogin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticket: check.ticket }),
  });
  expect(login.status).toBe(200);
  const [session] = await siteSessions();
  expect(session).toEqual({ userId: user.id, sid: expect.any(String) });

  const [browser] = await phone.sessions();
  expect(browser).toMatchObject({ id: session?.sid, app: { id: 'shop' } });
  expect(await phone.signOut({ id: browser?.id ?? '' })).toEqual({ signedOut: [session?.sid] });

  const deadline = Date.now() + 10_000;
  while ((await siteSessions()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await siteSessions()).toEqual([]);
  expect(qrlogin.logs.join('\n')).not.toMatch(/back-channel.*(fail|refus)/i);
});

test('an ID token posted as the logout token is refused: 400 invalid_request, no-store', async () => {
  const idToken = qrlogin.app.tokens.signIdToken({ id: 'u1', username: 'x', nickname: 'X', photo: null, email: null, phone: null }, 'shop');
  const response = await fetch(`${siteUrl}/auth/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: idToken.token }).toString(),
  });
  expect(response.status).toBe(400);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({ error: 'invalid_request' });
});
