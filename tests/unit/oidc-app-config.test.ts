/**
 * Apps as OpenID Connect clients (issue 15): `redirectUris`, `postLogoutRedirectUris` and
 * `backchannelLogoutUri` in APPS, parsed by loadConfig, and the pure rules behind them.
 */
import { createHash } from 'node:crypto';
import { isOidcClient, needsHttps, oidcApplicationType, redirectUriProblem } from '../../server/domain/app';
import { loadConfig } from '../../server/config';
import { problemsOf } from '../helpers/config';

const SHOP_SECRET = 'shop-secret-0123456789-abcdef';
const PRODUCTION = { NODE_ENV: 'production', SIGNING_KEY_FILE: '/run/secrets/key.pem', ALLOW_REGISTRATION: 'false' };
const shop = {
  id: 'shop',
  name: 'Example Shop',
  secretSha256: createHash('sha256').update(SHOP_SECRET).digest('base64url'),
  origins: ['https://shop.example'],
};
const CALLBACK = 'https://shop.example/oidc/callback';
const apps = (...entries: object[]) => ({ APPS: JSON.stringify({ apps: entries }) });
const shopOf = (env: Record<string, string>) => loadConfig(env).config.apps.find((app) => app.id === 'shop');

test('an app without the fields is no OIDC client: empty lists, no back-channel URI', () => {
  const app = shopOf(apps(shop));
  expect(app).toMatchObject({ redirectUris: [], postLogoutRedirectUris: [] });
  expect(app).not.toHaveProperty('backchannelLogoutUri');
  expect(app && isOidcClient(app)).toBe(false);
});

test('the built-in demo app has empty lists', () => {
  const demo = loadConfig({}).config.apps.find((app) => app.id === 'demo');
  expect(demo).toMatchObject({ redirectUris: [], postLogoutRedirectUris: [] });
  expect(demo).not.toHaveProperty('backchannelLogoutUri');
  expect(demo && isOidcClient(demo)).toBe(false);
});

test('an app with redirectUris is an OIDC client; every field is read as given', () => {
  const client = {
    ...shop,
    redirectUris: [CALLBACK, 'https://shop.example/cb?tenant=a', 'http://localhost:8080/cb', 'http://127.0.0.1/cb', 'http://[::1]:3000/cb'],
    postLogoutRedirectUris: ['https://shop.example/bye'],
    backchannelLogoutUri: 'https://shop.example/oidc/backchannel',
  };
  const app = shopOf(apps(client));
  expect(app).toMatchObject({
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    backchannelLogoutUri: client.backchannelLogoutUri,
  });
  expect(app && isOidcClient(app)).toBe(true);
  expect(app && oidcApplicationType(app)).toBe('web');
  // The same passes production: https, and http only on loopback hosts.
  expect(() => loadConfig({ ...PRODUCTION, ...apps(client) })).not.toThrow();
});

test('a native app may use a private-use scheme (RFC 8252 §7.1), in production too', () => {
  const native = { ...shop, redirectUris: ['com.example.shop:/oauth2redirect', 'http://127.0.0.1:7777/cb', CALLBACK] };
  const app = shopOf({ ...PRODUCTION, ...apps(native) });
  expect(app?.redirectUris).toEqual(native.redirectUris);
  expect(app && oidcApplicationType(app)).toBe('native');
});

const many = Array.from({ length: 21 }, (_, i) => `https://shop.example/cb/${i}`);
test.each([
  ['a fragment', { redirectUris: [`${CALLBACK}#x`] }, /app "shop": apps\.0\.redirectUris\.0: must not have a fragment/],
  ['an empty fragment', { postLogoutRedirectUris: ['https://shop.example/bye#'] }, /postLogoutRedirectUris\.0: must not have a fragment/],
  ['a relative URL', { redirectUris: ['/oidc/callback'] }, /redirectUris\.0: must be an absolute URL/],
  ['a host without a scheme', { redirectUris: ['shop.example/cb'] }, /redirectUris\.0: must be an absolute URL/],
  ['another scheme', { redirectUris: ['ftp://shop.example/cb'] }, /redirectUris\.0: must be an http or https URL/],
  ['javascript:', { redirectUris: ['javascript:alert(1)'] }, /redirectUris\.0: must be an http or https URL/],
  ['a scheme without a dot', { redirectUris: ['shopapp:/cb'] }, /redirectUris\.0: .*reversed domain name/],
  ['two slashes after a private-use scheme', { redirectUris: ['com.example.shop://cb'] }, /redirectUris\.0: .*one slash after the colon/],
  ['a wildcard', { redirectUris: ['https://*.shop.example/cb'] }, /redirectUris\.0: no wildcards/],
  ['a space', { redirectUris: [' https://shop.example/cb'] }, /redirectUris\.0: must not contain spaces/],
  ['credentials', { redirectUris: ['https://user:pass@shop.example/cb'] }, /redirectUris\.0: must not contain a user or password/],
  ['more than 20', { redirectUris: many }, /redirectUris: at most 20 URIs/],
  ['a duplicate', { redirectUris: [CALLBACK, 'https://shop.example/x', CALLBACK] }, /redirectUris\.2: the same URI as entry 0/],
  ['a list that is not strings', { redirectUris: [CALLBACK, 42] }, /redirectUris\.1/],
  ['a single string', { redirectUris: CALLBACK }, /redirectUris/],
  [
    'a back-channel URI of another scheme',
    { redirectUris: [CALLBACK], backchannelLogoutUri: 'com.example.shop:/logout' },
    /backchannelLogoutUri: must be an http or https URL/,
  ],
  [
    'a back-channel URI with a fragment',
    { redirectUris: [CALLBACK], backchannelLogoutUri: 'https://shop.example/bc#f' },
    /backchannelLogoutUri: must not have a fragment/,
  ],
  [
    'a back-channel URI without redirectUris',
    { backchannelLogoutUri: 'https://shop.example/bc' },
    /backchannelLogoutUri: needs redirectUris/,
  ],
  [
    'post-logout URIs without redirectUris',
    { postLogoutRedirectUris: ['https://shop.example/bye'] },
    /postLogoutRedirectUris: needs redirectUris/,
  ],
  [
    'a native app with http off loopback',
    { redirectUris: ['com.example.shop:/cb', 'http://shop.example/cb'] },
    /redirectUris\.1: .*native app: its http URIs must be on a loopback host/,
  ],
  [
    'a native app with https on loopback',
    { redirectUris: ['com.example.shop:/cb'], postLogoutRedirectUris: ['https://localhost/bye'] },
    /postLogoutRedirectUris\.0: .*must not be on a loopback host/,
  ],
])('refuses %s, naming the app and the field', (_name, fields, pattern) => {
  const problems = problemsOf(apps({ ...shop, secretSha256: undefined, secret: SHOP_SECRET, ...fields })).join('\n');
  expect(problems).toMatch(pattern);
  expect(problems).toMatch(/^APPS: /);
  expect(problems).not.toContain(SHOP_SECRET);
});

test('production requires https except on loopback hosts, for each field, naming app, field and URI', () => {
  const plain = {
    ...shop,
    redirectUris: [CALLBACK, 'http://shop.example/cb', 'http://localhost:3000/cb'],
    postLogoutRedirectUris: ['http://shop.example/bye'],
    backchannelLogoutUri: 'http://shop.example/bc',
  };
  expect(problemsOf({ ...PRODUCTION, ...apps(plain) })).toEqual([
    expect.stringMatching(/^NODE_ENV=production: app "shop" redirectUris uses http \(http:\/\/shop\.example\/cb\); use https/),
    expect.stringMatching(/^NODE_ENV=production: app "shop" postLogoutRedirectUris uses http \(http:\/\/shop\.example\/bye\)/),
    expect.stringMatching(/^NODE_ENV=production: app "shop" backchannelLogoutUri uses http \(http:\/\/shop\.example\/bc\)/),
  ]);
  // Outside production the same app is accepted (a development RP on plain http).
  expect(shopOf(apps(plain))?.backchannelLogoutUri).toBe('http://shop.example/bc');
});

test('the pure rules', () => {
  for (const ok of [CALLBACK, 'http://localhost/cb', 'https://shop.example', 'com.example.app:/callback'])
    expect(redirectUriProblem(ok)).toBeNull();
  expect(redirectUriProblem('com.example.app:/callback', 'web')).toMatch(/http or https/);
  expect(redirectUriProblem('not a url')).toMatch(/spaces/);
  for (const loopback of [
    'http://localhost:1/cb',
    'http://127.0.0.1/cb',
    'http://[::1]/cb',
    'https://shop.example/cb',
    'com.example.app:/cb',
  ])
    expect(needsHttps(loopback)).toBe(false);
  for (const plain of ['http://shop.example/cb', 'HTTP://shop.example/cb', 'http://127.0.0.2/cb', 'http://localhost.evil.example/cb'])
    expect(needsHttps(plain)).toBe(true);
});
