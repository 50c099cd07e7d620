/**
 * The peer we benchmark QR login against: the OAuth 2.0 Device Authorization Grant (RFC 8628)
 * of `oidc-provider` (panva), in-memory adapter, the user's approval done through its built-in
 * devInteractions pages (login, then consent). A standalone process:
 *   PORT=4000 node scripts/run-ts.mjs bench/peers/oidc-device-server.ts
 * Binds 127.0.0.1 only, issuer http://127.0.0.1:PORT, prints exactly one `READY <issuer>` line to
 * stdout once listening, exits 0 on SIGTERM/SIGINT. The client side is ./oidc-device-client.ts.
 * Note: run-ts.mjs runs the bundle with spawnSync, so SIGTERM to run-ts.mjs's own pid leaves this
 * server running; signal the node child (or the whole process group) instead. On Node 20
 * oidc-provider prints "Unsupported runtime. Use Node.js v22.x LTS" to stderr; it works anyway.
 *
 * Deviations from oidc-provider's defaults (everything else is its default: in-memory adapter,
 * devInteractions on, default interaction policy login + consent, default TTLs, default routes):
 * - `features.deviceFlow.enabled: true` — the grant under test (off by default).
 * - `clients`: one static public client `bench-device` (auth method `none`, only the device_code
 *   grant, no response types / redirect URIs, `id_token_signed_response_alg: 'ES256'`) — the
 *   default has no clients at all.
 * - `jwks`: one EC P-256 key generated at start (kid `bench-es256`) instead of the built-in
 *   development keystore — so ID tokens are ES256 with a P-256 key, like qrlogin's.
 * - `cookies.keys`: 32 random bytes at start (default: none, so cookies are unsigned); with keys
 *   the provider signs its cookies (`.sig` variants), as any real deployment does.
 * - `findAccount`: any account id is accepted; claims `{ sub, name }` (the default also accepts
 *   any id, but warns that it MUST be changed). No password check: devInteractions take any login.
 * - oidc-provider's one-off dev notices (`console.info`, "default ttl.X function called, you
 *   SHOULD change it…") are routed to stderr so stdout carries only the READY line. Warnings
 *   (`console.warn`, e.g. "devInteractions is enabled") already go to stderr. The notices are
 *   printed once per name, not per request, so they never throttle anything.
 * - Polling: nothing to change. oidc-provider 9.13.3 does not enforce `interval` / `slow_down`
 *   at all (its `SlowDown` error class exists but no code path throws it), and its device
 *   authorization response carries no `interval` field (RFC 8628 §3.2: the device then SHOULD
 *   wait 5 s between polls). A poll right before and right after the approval are both answered
 *   immediately (`authorization_pending`, then the tokens). The bench does not wait those 5 s.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** The part of an oidc-provider Account we provide (see its `findAccount` docs). */
interface Account {
  accountId: string;
  claims(use: string, scope: string): Promise<{ sub: string; name: string }>;
}

/** The part of the Provider instance (a Koa app) we use. */
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: 'server_error', listener: (ctx: unknown, error: Error) => void): unknown;
}

type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

const CLIENT_ID = 'bench-device';

function readPort(): number {
  const raw = process.env.PORT;
  const port = Number(raw);
  if (!raw || !Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`oidc-device-server: PORT must be set to a TCP port number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

/**
 * oidc-provider is ESM-only and ships no type declarations. scripts/run-ts.mjs bundles to CJS
 * with node_modules external; the specifier is kept in a variable so esbuild leaves a real
 * `import()` in the CJS output (Node loads the ESM package through it) and TypeScript does not
 * look for the missing declarations. The module is narrowed to the constructor right away.
 */
async function loadProvider(): Promise<ProviderConstructor> {
  const specifier: string = 'oidc-provider';
  const mod: unknown = await import(specifier);
  const ctor = (mod as { default?: unknown } | null)?.default;
  if (typeof ctor !== 'function') throw new Error('oidc-provider: no default export (Provider class)');
  return ctor as ProviderConstructor;
}

async function main(): Promise<void> {
  const port = readPort();
  const issuer = `http://127.0.0.1:${port}`;

  // Dev notices go to stdout via console.info; keep stdout for the READY line only.
  console.info = (...args: unknown[]) => console.error(...args);

  const Provider = await loadProvider();

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
        response_types: [],
        redirect_uris: [],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      deviceFlow: { enabled: true },
      devInteractions: { enabled: true },
    },
    findAccount: async (_ctx: unknown, sub: string): Promise<Account> => ({
      accountId: sub,
      claims: async () => ({ sub, name: sub }),
    }),
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error:', error));

  const server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  process.stdout.write(`READY ${issuer}\n`);

  const shutdown = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error('oidc-device-server failed:', error);
  process.exit(1);
});
