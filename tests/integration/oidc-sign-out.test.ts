/**
 * Signed-in browsers through the OpenID Connect provider (issue 15 item 4), over plain HTTP on
 * real servers: the `sid` of an app's ID token is the id the phone lists; signing a browser out
 * ends its provider session (the next `prompt=none` is `login_required`, the access token is
 * dead) and every app it signed in to through that session hears of it over the back channel;
 * an RP-initiated logout goes through the same retrying delivery and leaves the list; and two
 * instances on Redis share all of it.
 */
import { decodeJwt } from 'jose';
import type { SessionsData, SignOutData } from '../../shared/http';
import { API } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { type BackchannelEndpoint, startBackchannelEndpoint, verifyLogoutToken } from '../helpers/backchannel';
import { type Cluster, startCluster } from '../helpers/cluster';
import { bearer, registerUser } from '../helpers/flow';
import { HttpBrowser, NoInteractionError, exchangeCode, signInOverHttp } from '../helpers/oidc-http';
import { type TestServer, startServer, testApp, withApps } from '../helpers/server';

const SECRET = 'oidc-secret-0123456789abcdef';
const CALLBACK = 'http://127.0.0.1:9/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:9/signed-out';

const client = (id: string, backchannelLogoutUri: string) => ({
  id,
  name: `App ${id}`,
  secret: SECRET,
  origins: [],
  redirectUris: [CALLBACK],
  postLogoutRedirectUris: [AFTER_LOGOUT],
  backchannelLogoutUri,
});

/** A sign-in of `clientId` in `browser` (by QR unless it is signed in already), and its ID token's claims. */
async function signIn(base: string, clientId: string, browser: HttpBrowser, phone?: Awaited<ReturnType<typeof registerUser>>) {
  const done = await signInOverHttp(base, { clientId, redirectUri: CALLBACK, browser, ...(phone ? { phone } : {}) });
  const tokens = await exchangeCode(base, { clientId, secret: SECRET, redirectUri: CALLBACK, signIn: done });
  const claims = decodeJwt(tokens.id_token);
  return { ...tokens, sid: String(claims.sid), sub: String(claims.sub), phone: done.phone };
}

/** Whether the browser is still signed in for `clientId`: `prompt=none` gives a code, or `login_required`. */
async function silentError(base: string, clientId: string, browser: HttpBrowser): Promise<string | null> {
  try {
    await signInOverHttp(base, { clientId, redirectUri: CALLBACK, browser, prompt: 'none' });
    return null;
  } catch (error) {
    if (error instanceof NoInteractionError) return error.back.searchParams.get('error');
    throw error;
  }
}

describe('one instance', () => {
  let shopEnd: BackchannelEndpoint;
  let wikiEnd: BackchannelEndpoint;
  let server: TestServer;
  beforeAll(async () => {
    [shopEnd, wikiEnd] = await Promise.all([startBackchannelEndpoint(), startBackchannelEndpoint()]);
    server = await startServer({
      configure: withApps(
        (config) => testApp(config, { ...client('shop', shopEnd.url), secret: SECRET }),
        (config) => testApp(config, { ...client('wiki', wikiEnd.url), secret: SECRET }),
      ),
      deps: { logoutDelivery: { retryDelaysMs: [50, 50], attemptTimeoutMs: 2_000 } },
    });
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([shopEnd.close(), wikiEnd.close()]);
  });
  const list = async (token: string) => dataOf(await api(server.url).get<SessionsData>(API.sessions, bearer(token))).sessions;
  const verify = (token: string, audience: string) =>
    verifyLogoutToken(token, { issuer: server.config.issuer, jwksUrl: `${server.url}/.well-known/jwks.json`, audience });

  test('the phone signs a browser out: its provider session ends and every app of it gets a logout token with its sid', async () => {
    const browser = new HttpBrowser(server.url);
    const shop = await signIn(server.url, 'shop', browser);
    const phone = shop.phone;
    if (!phone) throw new Error('the first sign-in is by QR');
    // The same browser signs in to the wiki without a QR: a sign-in of its own.
    const wiki = await signIn(server.url, 'wiki', browser);
    expect(wiki.sid).not.toBe(shop.sid);
    expect(wiki.sub).toBe(shop.sub);
    const listed = await list(phone.token);
    expect(listed.map((s) => [s.id, s.app.id])).toEqual([
      [wiki.sid, 'wiki'],
      [shop.sid, 'shop'],
    ]);
    expect(listed[0]).toMatchObject({ app: { name: 'App wiki' }, ip: '127.0.0.1' });

    const [shopBefore, wikiBefore] = [shopEnd.deliveries.length, wikiEnd.deliveries.length];
    const out = dataOf(await api(server.url).delete<SignOutData>(`${API.sessions}/${shop.sid}`, bearer(phone.token)));
    expect(new Set(out.signedOut)).toEqual(new Set([shop.sid, wiki.sid]));
    const [shopToken] = (await shopEnd.received(shopBefore + 1)).slice(shopBefore);
    const [wikiToken] = (await wikiEnd.received(wikiBefore + 1)).slice(wikiBefore);
    expect(await verify(shopToken?.token ?? '', 'shop')).toMatchObject({ sid: shop.sid, sub: shop.sub, aud: 'shop' });
    expect(await verify(wikiToken?.token ?? '', 'wiki')).toMatchObject({ sid: wiki.sid, sub: wiki.sub, aud: 'wiki' });
    expect(await list(phone.token)).toEqual([]);
    // The provider forgot the browser: no silent sign-in, and the access token is dead.
    expect(await silentError(server.url, 'shop', browser)).toBe('login_required');
    const userinfo = await fetch(`${server.url}/oidc/userinfo`, { headers: { authorization: `Bearer ${shop.access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  test('a silent sign-in of the same app in the same browser keeps its sid: still one browser listed', async () => {
    const browser = new HttpBrowser(server.url);
    const first = await signIn(server.url, 'shop', browser);
    const silent = await signInOverHttp(server.url, { clientId: 'shop', redirectUri: CALLBACK, browser, prompt: 'none' });
    const again = await exchangeCode(server.url, { clientId: 'shop', secret: SECRET, redirectUri: CALLBACK, signIn: silent });
    expect(decodeJwt(again.id_token).sid).toBe(first.sid);
    expect((await list(first.phone?.token ?? '')).map((s) => s.id)).toEqual([first.sid]);
  });

  test('RP-initiated logout: the provider logs the browser out, the app hears of it through the same delivery, the phone no longer lists it', async () => {
    const browser = new HttpBrowser(server.url);
    const shop = await signIn(server.url, 'shop', browser);
    const before = shopEnd.deliveries.length;
    const params = new URLSearchParams({ id_token_hint: shop.id_token, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye-1' });
    const confirmPage = await browser.step(`/oidc/session/end?${params.toString()}`);
    const html = await confirmPage.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    expect(xsrf).toBeDefined();
    const done = await browser.step('/oidc/session/end/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf ?? '', logout: 'yes' }).toString(),
    });
    const back = new URL(done.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(AFTER_LOGOUT);
    expect(back.searchParams.get('state')).toBe('bye-1');
    const [delivery] = (await shopEnd.received(before + 1)).slice(before);
    expect(await verify(delivery?.token ?? '', 'shop')).toMatchObject({ sid: shop.sid, sub: shop.sub });
    expect(await list(shop.phone?.token ?? '')).toEqual([]);
    expect(await silentError(server.url, 'shop', browser)).toBe('login_required');
  });

  test('the sign-out pages speak the person’s language, name the website, and cannot be framed', async () => {
    const browser = new HttpBrowser(server.url);
    const shop = await signIn(server.url, 'shop', browser);
    const params = new URLSearchParams({ id_token_hint: shop.id_token, ui_locales: 'zh-CN' });
    const confirmPage = await browser.step(`/oidc/session/end?${params.toString()}`);
    expect(confirmPage.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(confirmPage.headers.get('x-frame-options')).toBe('DENY');
    const html = await confirmPage.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('App shop 正在为你退出登录。');
    expect(html).toContain('仅退出 App shop');
    expect(html).not.toContain('fonts.googleapis.com');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    // "Only this website": the provider session stays for the others; no post-logout URI was
    // named, so the provider's own page says it is done, in English for this browser.
    const done = await browser.step('/oidc/session/end/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en-GB' },
      body: new URLSearchParams({ xsrf }).toString(),
    });
    const success = await browser.step(done.headers.get('location') ?? '', { headers: { 'accept-language': 'en-GB' } });
    expect(await success.text()).toContain('<h1>You are signed out</h1>');
    expect(await list(shop.phone?.token ?? '')).toEqual([]);
  });
});

describe('two instances on Redis', () => {
  let endpoint: BackchannelEndpoint;
  let cluster: Cluster;
  beforeAll(async () => {
    endpoint = await startBackchannelEndpoint();
    cluster = await startCluster(2, { env: { APPS: JSON.stringify({ apps: [client('shop', endpoint.url)] }) } });
  });
  afterAll(async () => {
    await cluster.close();
    await endpoint.close();
  });

  test('signed in on one instance, listed and signed out on the other; the provider session ends for both', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const phone = await registerUser(api(a.url), 'Across');
    const browser = new HttpBrowser(a.url);
    const shop = await signIn(a.url, 'shop', browser, phone);
    const onB = dataOf(await api(b.url).get<SessionsData>(API.sessions, bearer(phone.token))).sessions;
    expect(onB.map((s) => s.id)).toEqual([shop.sid]);
    const out = dataOf(await api(b.url).delete<SignOutData>(`${API.sessions}/${shop.sid}`, bearer(phone.token)));
    expect(out.signedOut).toEqual([shop.sid]);
    const [delivery] = await endpoint.received(1);
    const claims = await verifyLogoutToken(delivery?.token ?? '', {
      issuer: b.config.issuer,
      jwksUrl: `${a.url}/.well-known/jwks.json`,
      audience: 'shop',
    });
    expect(claims).toMatchObject({ sid: shop.sid, sub: phone.user.id });
    expect(await silentError(a.url, 'shop', browser)).toBe('login_required');
    expect(dataOf(await api(a.url).get<SessionsData>(API.sessions, bearer(phone.token))).sessions).toEqual([]);
  });
});
