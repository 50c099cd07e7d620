/**
 * @module
 * A company identity provider for the tests: `oidc-provider` (ESM-only, so it runs in its own
 * Node process) on 127.0.0.1, with introspection, and a resource server whose access tokens
 * are JWTs. Started by tests/helpers/idp/index.ts; configured by environment variables:
 *
 * - `IDP_PORT`: the port (default 0: any free one; a restart passes the first one again);
 * - `IDP_JWKS`: the signing keys, a private JWK set (JSON), so a test can rotate them;
 * - `IDP_INTROSPECTION_SECRET`: the secret of the client `qrlogin` that introspects.
 *
 * Tokens are minted without a browser: `POST /test/mint` with JSON `{accountId, resource?,
 * alg?, expired?, expiresIn?, claims?, refresh?}` answers `{token}` (a JWT for a resource whose
 * format is `jwt`, opaque otherwise; `refresh: true`, an opaque refresh token of the phone app);
 * `POST /test/revoke` `{token}` revokes an opaque token; `GET /test/requests` answers how many
 * requests each path has had since the start (`{"/token/introspection": 2, …}`). When ready it
 * prints `{"port":…,"issuer":…}` as one JSON line on stdout; it stops on SIGTERM.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { URL } from 'node:url';
import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';
const PHONE_CLIENT = 'phone-app';

/** Resource servers by identifier: the shop's API takes JWT access tokens; the other API too. */
const RESOURCES = {
  'https://api.shop.test': { accessTokenFormat: 'jwt', scope: 'openid profile' },
  'https://api.other.test': { accessTokenFormat: 'jwt', scope: 'openid profile' },
  'https://opaque.shop.test': { accessTokenFormat: 'opaque', scope: 'openid profile' },
};

/** The standard profile claims of the test accounts; `/test/mint` may add more. */
const accounts = new Map([
  [
    'alice-1001',
    { name: 'Alice Example', preferred_username: 'alice', picture: 'https://cdn.shop.test/alice.png', email: 'alice@shop.test' },
  ],
  ['bob-2002', { name: 'Bob Builder', email: 'bob@shop.test', phone_number: '+15550100' }],
]);

const jwks = JSON.parse(process.env.IDP_JWKS ?? 'null');
if (!jwks || !Array.isArray(jwks.keys)) throw new Error('IDP_JWKS must be a private JWK set');

const server = createServer();
server.listen(Number(process.env.IDP_PORT ?? 0), HOST);
await new Promise((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
});
const { port } = server.address();
const issuer = `http://${HOST}:${port}`;

const provider = new Provider(issuer, {
  clients: [
    { client_id: PHONE_CLIENT, token_endpoint_auth_method: 'none', redirect_uris: ['https://app.shop.test/cb'] },
    {
      client_id: 'qrlogin',
      client_secret: process.env.IDP_INTROSPECTION_SECRET ?? 'introspection secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks,
  cookies: { keys: ['test-only cookie key, never used'] },
  ttl: { AccessToken: 3600 },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'https://api.shop.test',
      getResourceServerInfo: (_ctx, identifier) => {
        const info = RESOURCES[identifier];
        if (!info) throw new errors.InvalidTarget();
        return { ...info, audience: identifier };
      },
    },
  },
  findAccount: (_ctx, sub) => (accounts.has(sub) ? { accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) } : undefined),
  extraTokenClaims: (_ctx, token) => accounts.get(token.accountId),
});

/** The JSON body of a test route's request. */
async function jsonBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

async function mint({ accountId, resource, alg, expired, expiresIn, claims, refresh }) {
  if (claims) accounts.set(accountId, { ...accounts.get(accountId), ...claims });
  const client = await provider.Client.find(PHONE_CLIENT);
  const now = Math.floor(Date.now() / 1000);
  const lifetime = expired ? { iat: now - 7200, exp: now - 3600 } : expiresIn ? { expiresIn } : {};
  if (refresh) {
    const token = new provider.RefreshToken({ accountId, client, scope: 'openid profile offline_access', expiresIn: 3600, ...lifetime });
    return { token: await token.save() };
  }
  const info = resource ? RESOURCES[resource] : undefined;
  if (resource && !info) throw new Error(`unknown resource ${resource}`);
  const rs = info
    ? new provider.ResourceServer(resource, { ...info, audience: resource, ...(alg ? { jwt: { sign: { alg } } } : {}) })
    : undefined;
  const token = new provider.AccessToken({
    accountId,
    client,
    scope: 'openid profile',
    ...(rs ? { resourceServer: rs } : {}),
    ...lifetime,
  });
  return { token: await token.save() };
}

async function revoke({ token }) {
  const found = await provider.AccessToken.find(token);
  await found?.destroy();
  return { revoked: Boolean(found) };
}

/** Requests by path (the query left out), the test routes not counted. */
const requests = {};

const routes = { '/test/mint': mint, '/test/revoke': revoke };
const handle = provider.callback();
server.on('request', (req, res) => {
  const path = new URL(req.url ?? '/', issuer).pathname;
  if (req.method === 'GET' && path === '/test/requests') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests));
    return;
  }
  const route = req.method === 'POST' ? routes[path] : undefined;
  if (!route) {
    requests[path] = (requests[path] ?? 0) + 1;
    handle(req, res);
    return;
  }
  jsonBody(req)
    .then(route)
    .then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      (error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) })),
    );
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ port, issuer })}\n`);
