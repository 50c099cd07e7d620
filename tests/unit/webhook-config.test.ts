/**
 * An app's webhook fields (`webhookUrl`, `webhookSecret`, `webhookEvents`,
 * `webhookAllowPrivate`) as `loadConfig` reads them from `APPS`: what is kept, what is
 * refused (and that a refusal never quotes the secret), and production's refusals: plain
 * http off loopback, private targets unless the app allows them.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/config';
import { WEBHOOK_EVENT_TYPES } from '../../server/domain/webhooks';
import { problemsOf } from '../helpers/config';

const PRODUCTION = { NODE_ENV: 'production', SIGNING_KEY_FILE: '/run/secrets/key.pem', ALLOW_REGISTRATION: 'false' };
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const shop = { id: 'shop', name: 'Example Shop', secret: 'shop-secret-0123456789', origins: ['https://shop.example'] };
const hooked = (fields: Record<string, unknown>) => ({ APPS: JSON.stringify([{ ...shop, ...fields }]) });
const appOf = (env: Record<string, string>) => loadConfig(env).config.apps.find((app) => app.id === 'shop');

test('the webhook fields are kept as given; webhookEvents absent means every type', () => {
  const url = 'https://shop.example/webhooks/qrlogin';
  expect(appOf(hooked({ webhookUrl: url, webhookSecret: SECRET }))).toMatchObject({ webhookUrl: url, webhookSecret: SECRET });
  expect(appOf(hooked({ webhookUrl: url, webhookSecret: SECRET }))).not.toHaveProperty('webhookEvents');
  expect(
    appOf(hooked({ webhookUrl: url, webhookSecret: SECRET, webhookEvents: ['qr.confirmed'], webhookAllowPrivate: true })),
  ).toMatchObject({
    webhookEvents: ['qr.confirmed'],
    webhookAllowPrivate: true,
  });
  // An app without a webhook has none of the fields.
  const plain = appOf(hooked({}));
  for (const field of ['webhookUrl', 'webhookSecret', 'webhookEvents', 'webhookAllowPrivate']) expect(plain).not.toHaveProperty(field);
  expect(WEBHOOK_EVENT_TYPES).toEqual(['qr.scanned', 'qr.confirmed', 'qr.cancelled', 'qr.expired', 'ticket.redeemed']);
});

test('a webhookUrl needs its secret; the secret, the types and the private switch need the URL', () => {
  expect(problemsOf(hooked({ webhookUrl: 'https://shop.example/hooks' }))).toEqual([
    'APPS: app "shop": 0.webhookSecret: required with webhookUrl (whsec_ and the base64 of 24 to 64 random bytes)',
  ]);
  expect(problemsOf(hooked({ webhookSecret: SECRET, webhookEvents: ['qr.scanned'], webhookAllowPrivate: true }))).toEqual([
    'APPS: app "shop": 0.webhookSecret: needs webhookUrl',
    'APPS: app "shop": 0.webhookEvents: needs webhookUrl',
    'APPS: app "shop": 0.webhookAllowPrivate: needs webhookUrl',
  ]);
});

test('a secret that is not whsec_ and the base64 of 24 to 64 bytes is refused, never quoted', () => {
  const bad = [
    'not-a-whsec-secret-at-all-0123456789',
    `whsec_${randomBytes(16).toString('base64')}`,
    `whsec_${randomBytes(65).toString('base64')}`,
    `whsec_${randomBytes(32).toString('base64url')}!`,
    `whsec_${randomBytes(32).toString('base64').slice(0, -2)}`,
  ];
  for (const secret of bad) {
    const problems = problemsOf(hooked({ webhookUrl: 'https://shop.example/hooks', webhookSecret: secret }));
    expect(problems).toEqual(['APPS: app "shop": 0.webhookSecret: must be whsec_ followed by the base64 of 24 to 64 random bytes']);
    expect(problems.join('\n')).not.toContain(secret.slice(6, 20));
  }
  expect(problemsOf(hooked({ webhookUrl: 'https://shop.example/hooks', webhookSecret: 42 })).join('\n')).not.toContain('42');
});

test('the URL is an absolute http(s) URL without credentials or fragment; the types are known ones, each once', () => {
  const problem = (fields: Record<string, unknown>) => problemsOf(hooked({ webhookSecret: SECRET, ...fields }));
  expect(problem({ webhookUrl: '/hooks' })).toEqual([expect.stringMatching(/webhookUrl: must be an absolute URL/)]);
  expect(problem({ webhookUrl: 'ftp://shop.example/hooks' })).toEqual([expect.stringMatching(/webhookUrl: must be an http or https URL/)]);
  expect(problem({ webhookUrl: 'https://user:pass@shop.example/hooks' })).toEqual([
    expect.stringMatching(/must not contain a user or password/),
  ]);
  expect(problem({ webhookUrl: 'https://shop.example/hooks#x' })).toEqual([expect.stringMatching(/must not have a fragment/)]);
  const url = 'https://shop.example/hooks';
  expect(problem({ webhookUrl: url, webhookEvents: ['qr.confirmed', 'login.done'] })).toEqual([
    expect.stringMatching(/webhookEvents\.1: Invalid option/),
  ]);
  expect(problem({ webhookUrl: url, webhookEvents: [] })).toEqual([expect.stringMatching(/webhookEvents: at least one event type/)]);
  expect(problem({ webhookUrl: url, webhookEvents: ['qr.expired', 'qr.expired'] })).toEqual([
    expect.stringMatching(/webhookEvents: an event type is listed twice/),
  ]);
});

test('production refuses plain http off loopback, naming the origin only', () => {
  const problems = problemsOf({
    ...PRODUCTION,
    ...hooked({ webhookUrl: 'http://shop.example/hooks?token=receiver-secret-xyz', webhookSecret: SECRET }),
  });
  expect(problems).toEqual([
    'NODE_ENV=production: app "shop" webhookUrl uses http (http://shop.example); use https (http only on localhost, 127.0.0.1 or [::1])',
  ]);
  expect(() => loadConfig({ ...PRODUCTION, ...hooked({ webhookUrl: 'https://shop.example/hooks', webhookSecret: SECRET }) })).not.toThrow();
  // Outside production, http is fine.
  expect(appOf(hooked({ webhookUrl: 'http://shop.example/hooks', webhookSecret: SECRET }))?.webhookUrl).toBe('http://shop.example/hooks');
});

test('production refuses private, loopback and link-local targets unless the app says webhookAllowPrivate', () => {
  const refusal = (origin: string) =>
    `NODE_ENV=production: app "shop" webhookUrl is on a private, loopback or link-local host (${origin}); if that is really wanted (a receiver on your own network), say so with "webhookAllowPrivate": true`;
  for (const [url, origin] of [
    ['https://10.1.2.3/hooks', 'https://10.1.2.3'],
    ['https://169.254.169.254/latest', 'https://169.254.169.254'],
    ['https://[fd00::1]/hooks', 'https://[fd00::1]'],
    ['https://hooks.localhost/hooks', 'https://hooks.localhost'],
  ] as const) {
    expect(problemsOf({ ...PRODUCTION, ...hooked({ webhookUrl: url, webhookSecret: SECRET }) })).toEqual([refusal(origin)]);
    expect(() =>
      loadConfig({ ...PRODUCTION, ...hooked({ webhookUrl: url, webhookSecret: SECRET, webhookAllowPrivate: true }) }),
    ).not.toThrow();
  }
  // Loopback may be plain http, but is private all the same.
  expect(problemsOf({ ...PRODUCTION, ...hooked({ webhookUrl: 'http://127.0.0.1:8080/hooks', webhookSecret: SECRET }) })).toEqual([
    refusal('http://127.0.0.1:8080'),
  ]);
  const allowed = {
    ...PRODUCTION,
    ...hooked({ webhookUrl: 'http://127.0.0.1:8080/hooks', webhookSecret: SECRET, webhookAllowPrivate: true }),
  };
  expect(appOf(allowed)).toMatchObject({ webhookAllowPrivate: true });
  // Development delivers anywhere.
  expect(() => loadConfig(hooked({ webhookUrl: 'http://127.0.0.1:8080/hooks', webhookSecret: SECRET }))).not.toThrow();
});
