/**
 * A website's backend that fails to authenticate at the OpenID Connect token endpoint is a
 * `warn` line `event: "client_auth.refused"` (issue 16: failed app-secret checks are logged),
 * with the client id and the reason, once a minute per client and reason, never with what the
 * client sent.
 */
import { type TestServer, startServer } from '../helpers/server';
import { waitUntil } from '../helpers/sockets';

const SHOP = { id: 'shop', name: 'Shop', secret: 'shop-secret-0123456789abcdef', redirect: 'https://shop.example/callback' };
let server: TestServer;

beforeAll(async () => {
  const apps = [{ id: SHOP.id, name: SHOP.name, secret: SHOP.secret, origins: [], redirectUris: [SHOP.redirect] }];
  server = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
});
afterAll(() => server.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function token(id: string, secret: string): Promise<number> {
  const answer = await fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'some-code', redirect_uri: SHOP.redirect }),
  });
  await answer.text();
  return answer.status;
}

const refusals = () =>
  server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event === 'client_auth.refused');

test('a wrong secret and an unknown client are warn lines with the client and the reason, once a minute each, without the secret', async () => {
  // The right secret first: authenticated, the code is what is wrong (invalid_grant), no refusal.
  expect(await token(SHOP.id, SHOP.secret)).toBe(400);
  const wrong = 'WRONG-shop-secret-value-0123456789';
  expect(await token(SHOP.id, wrong)).toBe(401);
  expect(await token(SHOP.id, wrong)).toBe(401);
  expect(await token('no-such-app', 'another-WRONG-secret-0123456789')).toBe(401);
  await waitUntil(() => refusals().length >= 2, 5_000);
  expect(refusals()).toEqual([
    expect.objectContaining({ level: 'warn', event: 'client_auth.refused', appId: 'shop', reason: 'app-secret' }),
    expect.objectContaining({ level: 'warn', event: 'client_auth.refused', appId: null, reason: 'unknown-client' }),
  ]);
  expect(String(refusals()[0]?.msg)).toMatch(/check the secret your backend sends/);
  const logs = server.logs.join('\n');
  expect(logs).not.toContain(wrong);
  expect(logs).not.toContain('another-WRONG-secret');
  expect(logs).not.toContain(SHOP.secret);
});
