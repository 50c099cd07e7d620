/**
 * How sign-ins are kept, at the edges (review of issue 15): the phone listing while a browser
 * signs in (the provider saves its session at the end of its request, later than the sign-in is
 * recorded) never loses it; a website asking again (`prompt=consent`, which a cross-site link can
 * trigger) renews the browser's sign-in under the same `sid`; a sign-out reaches every website of
 * the provider session, listed or not; and a store that cannot record a sign-in costs the user
 * nothing but the list entry.
 */
import { decodeJwt } from 'jose';
import { createMemoryBackend } from '../../server/backend/memory';
import type { Backend } from '../../server/backend/types';
import type { SessionsData, SignOutData } from '../../shared/http';
import { API } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { type BackchannelEndpoint, startBackchannelEndpoint } from '../helpers/backchannel';
import { bearer, redeemedLogin, registerUser } from '../helpers/flow';
import { HttpBrowser, exchangeCode, signInOverHttp } from '../helpers/oidc-http';
import { startServer, testApp, withApps } from '../helpers/server';
import type { Config } from '../../server/config';
import { sleep } from '../helpers/time';

const SECRET = 'records-secret-0123456789abcdef';
const CALLBACK = 'http://127.0.0.1:9/callback';

const oidcApp = (id: string, backchannelLogoutUri?: string) => (config: Config) =>
  testApp(config, {
    id,
    name: `App ${id}`,
    secret: SECRET,
    origins: [],
    redirectUris: [CALLBACK],
    ...(backchannelLogoutUri ? { backchannelLogoutUri } : {}),
  });

/** The memory backend, its provider sessions written `delayMs` late (as a slow Redis would). */
function slowSessions(delayMs: number): Backend {
  const backend = createMemoryBackend(Date.now);
  const oidc = backend.stores.oidc;
  const upsert = oidc.upsert.bind(oidc);
  oidc.upsert = async (model, id, payload, expiresIn) => {
    if (model === 'Session') await sleep(delayMs);
    return upsert(model, id, payload, expiresIn);
  };
  return backend;
}

async function signIn(base: string, clientId: string, browser: HttpBrowser, phone?: Awaited<ReturnType<typeof registerUser>>) {
  const done = await signInOverHttp(base, { clientId, redirectUri: CALLBACK, browser, ...(phone ? { phone } : {}) });
  const tokens = await exchangeCode(base, { clientId, secret: SECRET, redirectUri: CALLBACK, signIn: done });
  return String(decodeJwt(tokens.id_token).sid);
}

test('listing while the browser signs in (its provider session saved late) never loses the sign-in, first app or second', async () => {
  const server = await startServer({
    env: { RATE_LIMITS: 'scanned=off' },
    configure: withApps(oidcApp('shop'), oidcApp('wiki')),
    deps: { backend: slowSessions(150) },
  });
  try {
    const http = api(server.url);
    const phone = await registerUser(http, 'Busy lister');
    const browser = new HttpBrowser(server.url);
    let listing = true;
    let lists = 0;
    const lister = (async () => {
      while (listing) {
        dataOf(await http.get<SessionsData>(API.sessions, bearer(phone.token)));
        lists += 1;
        await sleep(5);
      }
    })();
    const shop = await signIn(server.url, 'shop', browser, phone);
    const wiki = await signIn(server.url, 'wiki', browser);
    listing = false;
    await lister;
    expect(lists).toBeGreaterThan(10);
    const listed = dataOf(await http.get<SessionsData>(API.sessions, bearer(phone.token))).sessions;
    expect(listed.map((s) => s.id).sort()).toEqual([shop, wiki].sort());
  } finally {
    await server.close();
  }
});

describe('one server with back channels', () => {
  let shopEnd: BackchannelEndpoint;
  let wikiEnd: BackchannelEndpoint;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    [shopEnd, wikiEnd] = await Promise.all([startBackchannelEndpoint(), startBackchannelEndpoint()]);
    server = await startServer({
      configure: withApps(oidcApp('shop', shopEnd.url), oidcApp('wiki', wikiEnd.url)),
      deps: { logoutDelivery: { retryDelaysMs: [50], attemptTimeoutMs: 2_000 } },
    });
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([shopEnd.close(), wikiEnd.close()]);
  });

  test('asked again (prompt=consent, as a cross-site link can), the browser keeps its sid: one entry, renewed', async () => {
    const http = api(server.url);
    const phone = await registerUser(http, 'Asked twice');
    const browser = new HttpBrowser(server.url);
    const first = await signIn(server.url, 'shop', browser, phone);
    const again = await signInOverHttp(server.url, { clientId: 'shop', redirectUri: CALLBACK, browser, prompt: 'consent' });
    const tokens = await exchangeCode(server.url, { clientId: 'shop', secret: SECRET, redirectUri: CALLBACK, signIn: again });
    expect(decodeJwt(tokens.id_token).sid).toBe(first);
    const listed = dataOf(await http.get<SessionsData>(API.sessions, bearer(phone.token))).sessions;
    expect(listed.map((s) => s.id)).toEqual([first]);
  });

  test('a sign-out reaches every website of the provider session, even one the list had lost', async () => {
    const http = api(server.url);
    const phone = await registerUser(http, 'Forgetful');
    const browser = new HttpBrowser(server.url);
    const shop = await signIn(server.url, 'shop', browser, phone);
    const wiki = await signIn(server.url, 'wiki', browser);
    // The wiki's entry is gone (trimmed, or never written): its website must still hear of it.
    expect(await server.app.stores.signIns.remove(phone.user.id, wiki)).not.toBeNull();
    const before = wikiEnd.deliveries.length;
    const out = dataOf(await http.delete<SignOutData>(`${API.sessions}/${shop}`, bearer(phone.token)));
    expect(out.signedOut).toEqual([shop, wiki]);
    const [delivery] = (await wikiEnd.received(before + 1)).slice(before);
    expect(decodeJwt(delivery?.token ?? '')).toMatchObject({ sid: wiki, aud: 'wiki', sub: phone.user.id });
  });
});

test('a store that cannot record the sign-in costs the user nothing but the list entry', async () => {
  const backend = createMemoryBackend(Date.now);
  backend.stores.signIns.add = () => Promise.reject(new Error('disk full'));
  const server = await startServer({ configure: withApps(oidcApp('shop')), deps: { backend } });
  try {
    const http = api(server.url);
    const phone = await registerUser(http, 'Unrecorded');
    // The widget's path: the ticket is redeemed, the ID token still names a sid.
    const { user, ticket } = await redeemedLogin(http, { appId: 'shop', appSecret: SECRET, phone });
    expect(user.id).toBe(phone.user.id);
    expect(typeof decodeJwt(user.token).sid).toBe('string');
    // The OpenID Connect path: the website gets its code and its ID token.
    expect(await signIn(server.url, 'shop', new HttpBrowser(server.url), phone)).toEqual(expect.any(String));
    expect(dataOf(await http.get<SessionsData>(API.sessions, bearer(phone.token))).sessions).toEqual([]);
    const lines = server.logs.filter((line) => line.includes('sign-in not recorded'));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain(ticket);
  } finally {
    await server.close();
  }
});
