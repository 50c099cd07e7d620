/**
 * Signing keys across instances on one Redis: a rotation in progress (instances on different
 * configured keys) and a deployment without a configured key (one generated key, shared).
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { generateSigningKey } from '../../server/auth/keys';
import { API, type UserInfoData } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import { api, dataOf } from '../helpers/api';
import { CLUSTER_ISSUER, REDIS_URL, deleteByPrefix, uniquePrefix } from '../helpers/cluster';
import { bearer, confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer } from '../helpers/server';
import { closeAllSockets, connect, waitFor } from '../helpers/sockets';
import { createClient } from 'redis';

const started: TestServer[] = [];
let prefix: string;

beforeEach(() => {
  prefix = uniquePrefix();
});

afterEach(async () => {
  closeAllSockets();
  await Promise.all(started.splice(0).map((server) => server.close()));
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  await deleteByPrefix(client, prefix);
  await client.close();
});

async function instance(signingKey: ReturnType<typeof generateSigningKey>['key'] | null): Promise<TestServer> {
  const server = await startServer({ env: { ISSUER: CLUSTER_ISSUER }, redis: { url: REDIS_URL, prefix, signingKey } });
  started.push(server);
  return server;
}

const jwksOf = async (server: TestServer) => (await (await fetch(`${server.url}${API.jwks}`)).json()) as { keys: { kid: string }[] };

test('mid-rotation, instances on different keys accept each other’s user tokens and list both keys', async () => {
  const oldKey = generateSigningKey().key;
  const newKey = generateSigningKey().key;
  const a = await instance(oldKey);
  const b = await instance(newKey);
  expect(a.app.keys.current.kid).toBe(oldKey.kid);
  expect(b.app.keys.current.kid).toBe(newKey.kid);

  // A user token signed by B (new key) works on A at once: A reloads on an unknown kid.
  const phone = await registerUser(api(b.url), 'Rita');
  const qr = await gene(api(a.url));
  const browser = await connect(a.url);
  await browser.emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await scan(api(a.url), phone.token, qr.random);
  await confirm(api(a.url), phone.token, qr.random);
  const { ticket } = await confirmed;

  // Both JWKS list both keys, so an ID token of either instance verifies with either JWKS.
  for (const server of [a, b]) {
    expect((await jwksOf(server)).keys.map((key) => key.kid).sort()).toEqual([oldKey.kid, newKey.kid].sort());
  }
  const user = dataOf(await api(a.url).post<UserInfoData>(API.userinfo, { ticket }, bearer(a.demoAppSecret)));
  const { protectedHeader } = await jwtVerify(user.token, createLocalJWKSet(await jwksOf(b)), { issuer: CLUSTER_ISSUER, audience: 'demo' });
  expect(protectedHeader.kid).toBe(oldKey.kid);
});

test('with no key configured, every instance signs with the one key the first generated', async () => {
  const a = await instance(null);
  const b = await instance(null);
  expect(b.app.keys.current.kid).toBe(a.app.keys.current.kid);
  expect((await jwksOf(a)).keys).toHaveLength(1);
  const phone = await registerUser(api(a.url));
  // B verifies A's token with the same key.
  expect(await b.app.users.authenticate(phone.token)).toMatchObject({ id: phone.user.id });
});

test('a garbage kid does not make an instance accept anything', async () => {
  const a = await instance(null);
  const phone = await registerUser(api(a.url));
  const [header, payload, signature] = phone.token.split('.') as [string, string, string];
  const forgedHeader = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'nope' })).toString(
    'base64url',
  );
  const response = await api(a.url).post(
    API.scanned,
    { random: (await gene(api(a.url))).random },
    bearer(`${forgedHeader}.${payload}.${signature}`),
  );
  expect(response.body.code).toBe(2020);
});
