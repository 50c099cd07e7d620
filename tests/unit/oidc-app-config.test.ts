/**
 * Apps as OpenID Connect clients (issue 15): `redirectUris`, `postLogoutRedirectUris`,
 * `backchannelLogoutUri` and `publicClient` in APPS, parsed by loadConfig, the pure rules
 * behind them, and the provider's client metadata made of them (clientsOf).
 */
import { createHash } from 'node:crypto';
import { isOidcClient, needsHttps, oidcApplicationType, redirectUriProblem } from '../../server/domain/app';
import { secretMatches } from '../../server/domain/secrets';
import { loadConfig } from '../../server/config';
import { clientsOf } from '../../server/oidc/clients';
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

test('the built-in demo app has empty lists: no OIDC client (a back-channel URI is its own business)', () => {
  const demo = loadConfig({}).config.apps.find((app) => app.id === 'demo');
  expect(demo).toMatchObject({ redirectUris: [], postLogoutRedirectUris: [] });
  expect(demo).not.toHaveProperty('publicClient');
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
    'a public client without redirectUris',
    { publicClient: true },
    /app "shop": apps\.0\.publicClient: needs redirectUris: only an OpenID Connect client .* can be public/,
  ],
  ['a publicClient that is not a boolean', { redirectUris: [CALLBACK], publicClient: 'yes' }, /publicClient/],
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

test('backchannelLogoutUri is allowed on any app: the phone signs out widget sign-ins too', () => {
  const widgetOnly = { ...shop, backchannelLogoutUri: 'https://shop.example/oidc/backchannel' };
  const app = shopOf(apps(widgetOnly));
  expect(app).toMatchObject({ redirectUris: [], backchannelLogoutUri: widgetOnly.backchannelLogoutUri });
  expect(app && isOidcClient(app)).toBe(false);
  expect(() => loadConfig({ ...PRODUCTION, ...apps(widgetOnly) })).not.toThrow();
  // Its rules hold without redirectUris too: http(s) only, https in production.
  expect(problemsOf(apps({ ...shop, backchannelLogoutUri: 'com.example.shop:/logout' })).join('\n')).toMatch(
    /backchannelLogoutUri: must be an http or https URL/,
  );
  expect(problemsOf({ ...PRODUCTION, ...apps({ ...shop, backchannelLogoutUri: 'http://shop.example/bc' }) }).join('\n')).toMatch(
    /app "shop" backchannelLogoutUri uses http/,
  );
});

describe('publicClient', () => {
  const { secretSha256: _hash, ...noSecret } = shop;
  const publicShop = { ...noSecret, redirectUris: [CALLBACK], publicClient: true };

  test('a public client needs no secret: none at the token endpoint, no client_secret, in production too', () => {
    const app = shopOf({ ...PRODUCTION, ...apps(publicShop) });
    expect(app).toMatchObject({ publicClient: true, redirectUris: [CALLBACK], allowBrowserExchange: false });
    if (!app) throw new Error('no app');
    const [metadata] = clientsOf([app], 'ES256');
    expect(metadata).toMatchObject({ client_id: 'shop', token_endpoint_auth_method: 'none' });
    expect(metadata).not.toHaveProperty('client_secret');
  });

  test('without a secret its secretHash is random, unguessable, and matches no secret', () => {
    const first = shopOf(apps(publicShop))?.secretHash ?? '';
    const second = shopOf(apps(publicShop))?.secretHash ?? '';
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');
    for (const guess of ['', 'undefined', 'null', SHOP_SECRET, first]) {
      expect(secretMatches(guess, first)).toBe(false);
      expect(hashOf(guess)).not.toBe(first);
    }
  });

  test('a secret given anyway is kept for the ticket exchange, never for the token endpoint', () => {
    const app = shopOf(apps({ ...publicShop, secret: SHOP_SECRET, allowBrowserExchange: true }));
    expect(app).toMatchObject({ publicClient: true, allowBrowserExchange: true });
    expect(secretMatches(SHOP_SECRET, app?.secretHash ?? '')).toBe(true);
    const [metadata] = app ? clientsOf([app], 'ES256') : [];
    expect(metadata).toMatchObject({ token_endpoint_auth_method: 'none' });
    expect(metadata).not.toHaveProperty('client_secret');
    expect(shopOf(apps({ ...publicShop, secretSha256: shop.secretSha256 }))?.secretHash).toBe(shop.secretSha256);
  });

  test('the default is a confidential client: the stored hash as client_secret, client_secret_basic', () => {
    const app = shopOf(apps({ ...shop, redirectUris: [CALLBACK] }));
    expect(app).not.toHaveProperty('publicClient');
    expect(shopOf(apps({ ...shop, redirectUris: [CALLBACK], publicClient: false }))).not.toHaveProperty('publicClient');
    const [metadata] = app ? clientsOf([app], 'ES256') : [];
    expect(metadata).toMatchObject({ client_secret: shop.secretSha256, token_endpoint_auth_method: 'client_secret_basic' });
  });

  test.each([
    ['a confidential client without a secret', { ...noSecret, redirectUris: [CALLBACK] }, /exactly one of secret or secretSha256/],
    ['a public client with both secrets', { ...publicShop, secret: SHOP_SECRET, secretSha256: shop.secretSha256 }, /at most one of/],
    ['a public client with a short secret', { ...publicShop, secret: 'short' }, /secret: at least 16 characters/],
  ])('refuses %s', (_name, entry, pattern) => {
    const problems = problemsOf(apps(entry)).join('\n');
    expect(problems).toMatch(pattern);
    expect(problems).not.toContain(SHOP_SECRET);
  });
});
