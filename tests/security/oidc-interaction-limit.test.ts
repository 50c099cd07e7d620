/**
 * The OpenID Connect login interaction takes tickets (issue 15): guessing them there is bounded
 * per address by the same rule as `userinfo`, on a real server with a small limit.
 */
import { startServer } from '../helpers/server';

const SHOP = { id: 'shop', name: 'Shop', secret: 'shop-secret-0123456789abcdef', redirect: 'https://shop.example/callback' };

test('guessing tickets at the interaction is rate limited per address, like userinfo', async () => {
  const apps = [{ id: SHOP.id, name: SHOP.name, secret: SHOP.secret, origins: [], redirectUris: [SHOP.redirect] }];
  const limited = await startServer({ env: { APPS: JSON.stringify({ apps }), RATE_LIMITS: 'userinfo=3/60' } });
  try {
    const start = await fetch(
      `${limited.url}/oidc/auth?${new URLSearchParams({ client_id: 'shop', response_type: 'code', scope: 'openid', redirect_uri: SHOP.redirect, code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' }).toString()}`,
      { redirect: 'manual' },
    );
    const cookie = start.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const guess = await fetch(`${limited.url}${start.headers.get('location') ?? ''}/login`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ ticket: `guess-${i}-0123456789abcdef` }),
      });
      statuses.push(guess.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  } finally {
    await limited.close();
  }
});
