/**
 * What qrlogin makes of an RFC 7662 introspection answer, for the answers the test provider
 * (oidc-provider) cannot be made to give: another `iss` or `aud`, `cnf`, a `token_type` or
 * `token_use` of another kind of token. A small real introspection endpoint on 127.0.0.1
 * answers, for each token, what the test told it to (and `active: false` for any other); it
 * checks qrlogin's client credentials like a real one. qrlogin itself runs whole, on real time.
 */
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExternalVerifier } from '../../server/auth/external';
import { basicAuthorization } from '../../server/auth/external/introspection';
import { CLOCK_TOLERANCE_SECONDS } from '../../server/auth/external/outcome';
import { createLogger } from '../../server/logger';
import { API } from '../../shared/http';
import { type Api, api } from '../helpers/api';
import { bearer } from '../helpers/flow';
import { SHOP_API } from '../helpers/idp/login';
import { type TestServer, startServer } from '../helpers/server';

const ISSUER = 'https://id.shop.test';
const CLIENT_ID = 'qrlogin';
const CLIENT_SECRET = 'a secret of the introspection client';

/** What the endpoint answers, by token. */
const answers = new Map<string, Record<string, unknown>>();
let endpoint: Server;
let endpointUrl: string;
let server: TestServer;
let http: Api;

beforeAll(async () => {
  endpoint = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== basicAuthorization(CLIENT_ID, CLIENT_SECRET)) return json(401, { error: 'invalid_client' });
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('token') ?? '';
      return json(200, answers.get(token) ?? { active: false });
    });
  });
  endpoint.listen(0, '127.0.0.1');
  await once(endpoint, 'listening');
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/introspect`;
  server = await startServer({
    env: {
      USER_TOKEN_ISSUER: ISSUER,
      USER_TOKEN_AUDIENCE: SHOP_API,
      USER_TOKEN_INTROSPECTION_URL: endpointUrl,
      USER_TOKEN_INTROSPECTION_CLIENT_ID: CLIENT_ID,
      USER_TOKEN_INTROSPECTION_CLIENT_SECRET: CLIENT_SECRET,
    },
  });
  http = api(server.url);
});
afterAll(async () => {
  await server?.close();
  endpoint?.closeAllConnections();
  await new Promise((resolve) => endpoint?.close(resolve));
});

let counter = 0;
/** A fresh opaque token the endpoint answers `claims` for: an active access token of alice, unless told otherwise. */
function tokenFor(claims: Record<string, unknown>): string {
  counter += 1;
  const token = `opaque-${counter}-${Math.random().toString(36).slice(2)}`;
  const exp = Math.floor(Date.now() / 1000) + 600;
  answers.set(token, { active: true, sub: 'alice-1001', name: 'Alice Example', exp, iss: ISSUER, aud: SHOP_API, ...claims });
  return token;
}

const codeOf = async (token: string) => (await http.get(API.me, bearer(token))).body.code;

test.each<[string, Record<string, unknown>]>([
  ['token_type Bearer (RFC 6749 §7.1)', { token_type: 'Bearer' }],
  ['token_type bearer, any case', { token_type: 'bEaReR' }],
  ['token_type access_token', { token_type: 'access_token' }],
  ['token_use access_token (Ory Hydra)', { token_type: 'bearer', token_use: 'access_token' }],
  ['no token_type (RFC 7662 makes it optional)', {}],
  ['no iss and no aud (the endpoint answers for its own tokens)', { iss: undefined, aud: undefined }],
  ['an aud array with ours among others', { aud: ['https://api.other.test', SHOP_API] }],
])('accepted: %s', async (_name, claims) => {
  expect(await codeOf(tokenFor(claims))).toBe(200);
});

test.each<[string, Record<string, unknown>]>([
  ['a refresh token (token_type refresh_token)', { token_type: 'refresh_token' }],
  ['a refresh token (token_use refresh_token, Ory Hydra)', { token_type: 'bearer', token_use: 'refresh_token' }],
  ['a token_type of another scheme (MAC)', { token_type: 'mac' }],
  ['a token_type that is not a string', { token_type: ['Bearer'] }],
  ['DPoP, even without cnf', { token_type: 'DPoP' }],
  ['another issuer', { iss: 'https://idp.evil.test' }],
  ['another audience', { aud: 'https://api.other.test' }],
  ['an aud array without ours', { aud: ['https://api.other.test', 'https://api.third.test'] }],
  ['a sender-constrained token (cnf jkt, DPoP)', { token_type: 'Bearer', cnf: { jkt: 'aGFzaA' } }],
  ['a sender-constrained token (cnf x5t#S256, mTLS)', { cnf: { 'x5t#S256': 'aGFzaA' } }],
  ['no exp', { exp: undefined }],
  ['an exp past the clock tolerance', { exp: Math.floor(Date.now() / 1000) - CLOCK_TOLERANCE_SECONDS - 5 }],
  ['no sub', { sub: undefined }],
])('2020: %s', async (_name, claims) => {
  expect(await codeOf(tokenFor(claims))).toBe(2020);
});

test('the identity lasts as long as the token is accepted: exp plus the clock tolerance (so a logout lasts that long too)', async () => {
  const external = createExternalVerifier(
    {
      issuer: ISSUER,
      jwksUrl: null,
      audience: SHOP_API,
      algorithms: ['ES256'],
      introspection: { url: endpointUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    },
    { now: Date.now, logger: createLogger('error', () => undefined) },
  );
  try {
    const exp = Math.floor(Date.now() / 1000) + 120;
    const identity = await external.verify(tokenFor({ exp }));
    expect(identity.expiresAt).toBe((exp + CLOCK_TOLERANCE_SECONDS) * 1000);
  } finally {
    external.close();
  }
});
