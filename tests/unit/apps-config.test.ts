/**
 * The app registry's configuration: APPS_FILE / APPS parsed by loadConfig (real temp files).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOriginPattern } from '../../server/domain/app';
import { loadConfig } from '../../server/config';
import { problemsOf } from '../helpers/config';

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const SHOP_SECRET = 'shop-secret-0123456789-abcdef';
const PRODUCTION = { NODE_ENV: 'production', SIGNING_KEY_FILE: '/run/secrets/key.pem', ALLOW_REGISTRATION: 'false' };
const shop = { id: 'shop', name: 'Example Shop', secretSha256: hash(SHOP_SECRET), origins: ['https://shop.example'] };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qrlogin-apps-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(content: unknown): string {
  const path = join(dir, `apps-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('APPS_FILE adds apps with defaults; demo stays outside production and is the default', () => {
  const { config } = loadConfig({ APPS_FILE: file({ apps: [shop] }), QR_TTL_SECONDS: '90' });
  expect(config.apps.map((app) => app.id)).toEqual(['demo', 'shop']);
  expect(config.defaultAppId).toBe('demo');
  expect(config.apps[1]).toEqual({
    id: 'shop',
    name: 'Example Shop',
    secretHash: hash(SHOP_SECRET),
    origins: ['https://shop.example'],
    bindTicketToBrowser: true,
    allowBrowserExchange: false,
    showScannerOnWeb: false,
    qrTtlSeconds: 90,
    ticketTtlSeconds: 60,
    numberMatching: false,
    redirectUris: [],
    postLogoutRedirectUris: [],
  });
});

test('every option is read, and APPS takes the same JSON inline (a bare array too)', () => {
  const full = {
    ...shop,
    bindTicketToBrowser: false,
    allowBrowserExchange: true,
    showScannerOnWeb: true,
    qrTtl: 30,
    ticketTtl: 20,
    numberMatching: true,
  };
  for (const env of [{ APPS: JSON.stringify({ apps: [full] }) }, { APPS: JSON.stringify([full]) }, { APPS_FILE: file([full]) }]) {
    const app = loadConfig(env).config.apps.find((a) => a.id === 'shop');
    expect(app).toMatchObject({
      bindTicketToBrowser: false,
      allowBrowserExchange: true,
      showScannerOnWeb: true,
      qrTtlSeconds: 30,
      ticketTtlSeconds: 20,
      numberMatching: true,
    });
  }
});

test('in production, apps of one’s own replace demo; defaultApp picks the default', () => {
  const other = { ...shop, id: 'blog', name: 'Blog' };
  const { config, generatedDemoAppSecret } = loadConfig({ ...PRODUCTION, APPS_FILE: file({ apps: [shop, other], defaultApp: 'blog' }) });
  expect(config.apps.map((app) => app.id)).toEqual(['shop', 'blog']);
  expect(config.defaultAppId).toBe('blog');
  expect(generatedDemoAppSecret).toBeNull();
});

test('a plain secret is hashed at load, never kept, and warned about', () => {
  const { config, warnings } = loadConfig({ APPS: JSON.stringify([{ ...shop, secretSha256: undefined, secret: SHOP_SECRET }]) });
  const app = config.apps.find((a) => a.id === 'shop');
  expect(app?.secretHash).toBe(hash(SHOP_SECRET));
  expect(JSON.stringify(config)).not.toContain(SHOP_SECRET);
  expect(warnings.join('\n')).toMatch(/app "shop" has a plain secret/);
});

test.each([
  ['not JSON', '{apps:', /not valid JSON/],
  ['an unknown field', [{ ...shop, colour: 'red' }], /colour/],
  ['no secret', [{ ...shop, secretSha256: undefined }], /exactly one of secret or secretSha256/],
  ['both secrets', [{ ...shop, secret: SHOP_SECRET }], /exactly one of secret or secretSha256/],
  ['a short secret', [{ ...shop, secretSha256: undefined, secret: 'short' }], /0\.secret: at least 16 characters/],
  ['a bad hash', [{ ...shop, secretSha256: 'abc' }], /secretSha256/],
  ['an origin with a path', [{ ...shop, origins: ['https://shop.example/login'] }], /0\.origins\.0: an origin like/],
  ['a wildcard origin', [{ ...shop, origins: ['*'] }], /origins\.0/],
  ['a bad id', [{ ...shop, id: 'has space' }], /0\.id/],
  ['a duplicate id', [shop, shop], /"shop" appears twice/],
  ['an out-of-range TTL', [{ ...shop, qrTtl: 5 }], /qrTtl/],
  ['a wrong type', [{ ...shop, numberMatching: 'yes' }], /numberMatching/],
  ['an unknown defaultApp', { apps: [shop], defaultApp: 'nope' }, /defaultApp "nope"/],
])('refuses %s, naming the place', (_name, content, pattern) => {
  const path = file(content);
  const problems = problemsOf({ APPS_FILE: path });
  expect(problems.join('\n')).toMatch(pattern);
  expect(problems.join('\n')).toContain(`APPS_FILE ${path}`);
  expect(problems.join('\n')).not.toContain(SHOP_SECRET);
});

test('a missing file, or both variables, is a problem reported with the others', () => {
  const problems = problemsOf({ APPS_FILE: join(dir, 'missing.json'), PORT: 'x' });
  expect(problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/missing\.json: cannot be read \(ENOENT\)/), expect.stringMatching(/PORT/)]),
  );
  expect(problemsOf({ APPS_FILE: file([shop]), APPS: '[]' })).toContain('set APPS_FILE or APPS, not both');
});

test('origin patterns', () => {
  for (const ok of ['https://shop.example', 'http://localhost:*', 'http://127.0.0.1:8080', 'https://a.b.c:8443'])
    expect(isOriginPattern(ok)).toBe(true);
  for (const bad of [
    '*',
    'shop.example',
    'https://shop.example/',
    'https://shop.example/x',
    'ftp://x.example',
    'https://u:p@x.example',
    'https://x.example:80:*',
    'https://*.example',
    'https://x.example?a=1',
  ]) {
    expect(isOriginPattern(bad)).toBe(false);
  }
});

test('production refuses insecure defaults, all reported at once with what to do', () => {
  const problems = problemsOf({ NODE_ENV: 'production' });
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/production needs SIGNING_KEY or SIGNING_KEY_FILE/),
      expect.stringMatching(/production needs APPS_FILE or APPS/),
      expect.stringMatching(/set ALLOW_REGISTRATION to true or false/),
    ]),
  );
  const wild = problemsOf({ ...PRODUCTION, APPS: JSON.stringify([{ ...shop, origins: ['https://shop.example', 'http://localhost:*'] }]) });
  expect(wild).toEqual([expect.stringMatching(/app "shop" has wildcard-port origins \(http:\/\/localhost:\*\)/)]);
  expect(problemsOf({ ...PRODUCTION, TRUST_PROXY: 'true', APPS: JSON.stringify([shop]) })).toEqual([
    expect.stringMatching(/TRUST_PROXY=true believes any X-Forwarded-For/),
  ]);
  expect(() => loadConfig({ ...PRODUCTION, TRUST_PROXY: '1', APPS: JSON.stringify([shop]) })).not.toThrow();
  // The same settings are accepted outside production (with warnings where it matters).
  expect(() => loadConfig({ APPS: JSON.stringify([{ ...shop, origins: ['http://localhost:*'] }]) })).not.toThrow();
  expect(loadConfig({ ...PRODUCTION, RATE_LIMITS: 'off', APPS: JSON.stringify([shop]) }).warnings.join('\n')).toMatch(
    /RATE_LIMITS=off in production/,
  );
});
