/**
 * The hot lane (server/http/lane.ts) answers a login's requests in front of Express: a client
 * must see no difference from Express's routing. Matching as Express's defaults (case, one
 * trailing slash, HEAD by the GET route), preflights still answered by Express, the client
 * address and protocol from trusted proxies only, the secret cookie as `res.cookie` wrote it,
 * bad input as envelopes, and one access-log line per request with the route's pattern.
 */
import { API, type GeneData } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { useServer } from '../helpers/server';
import { connect } from 'node:net';

const server = useServer();
const http = () => api(server().url);

/** The access-log lines written for `route` since `from` (an index into the server's logs). */
const requestLines = (from: number, route: string) =>
  server()
    .logs.slice(from)
    .map((line) => JSON.parse(line) as { msg?: string; route?: string; status?: number; ip?: string; method?: string })
    .filter((line) => line.msg === 'request' && line.route === route);

test('paths match as Express matches them: any case, one trailing slash', async () => {
  for (const path of [API.gene, API.gene.toUpperCase(), `${API.gene}/`]) {
    const answer = await http().post<GeneData>(path, {});
    expect(dataOf(answer).random).toMatch(/^[\w-]{16,}$/);
  }
  // Not a route: two slashes, another method.
  expect((await http().post(`${API.gene}//`, {})).status).toBe(404);
  expect((await http().get(API.gene)).body).toMatchObject({ code: 404 });
});

test('HEAD is served by the GET route, without a body', async () => {
  const answer = await fetch(`${server().url}/livez`, { method: 'HEAD' });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await answer.text()).toBe('');
});

test('an OPTIONS without Origin is told the methods, as Express answered it', async () => {
  for (const [path, allow] of [
    [API.gene, 'POST'],
    ['/livez', 'GET, HEAD'],
    [`${API.check}?random=x`, 'GET, HEAD'],
  ] as const) {
    const answer = await fetch(`${server().url}${path}`, { method: 'OPTIONS' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('allow')).toBe(allow);
  }
});

/** The whole answer to a request written as is on a fresh connection. */
function rawExchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(server().port, '127.0.0.1', () => socket.end(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

test('a request target in absolute form, or with a fragment, reaches the same route', async () => {
  for (const target of [`http://127.0.0.1:${server().port}/livez`, '/livez#top']) {
    const answer = await rawExchange(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"status":"ok"}');
  }
});

test('a preflight for a lane route is still answered (by Express), and a refused origin gets FORBIDDEN', async () => {
  const origin = server().config.publicUrl;
  const preflight = await fetch(`${server().url}${API.gene}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
  expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');

  const refused = await http().post(API.gene, {}, { origin: 'https://evil.example' });
  expect(refused.body).toMatchObject({ code: 403, data: null });
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  expect(refused.headers.get('vary')).toBe('Origin');
  const allowed = await http().post(API.gene, {}, { origin });
  expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
  expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
});

test("the secret cookie is Secure only when the request is HTTPS by a trusted proxy's word, with Max-Age and Expires", async () => {
  const plain = await http().post<GeneData>(API.gene, {});
  const cookie = plain.headers.get('set-cookie') ?? '';
  const { random, secret, expiresIn } = dataOf(plain);
  expect(cookie).toMatch(new RegExp(`^qrlogin_${random}=${secret}; Max-Age=${expiresIn}; Path=/api/v2/qrcode; Expires=`));
  expect(cookie).toMatch(/; HttpOnly; SameSite=Lax$/);
  const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
  expect(Math.abs(expires - (Date.now() + expiresIn * 1000))).toBeLessThan(5000);
  // The test server trusts loopback (the default TRUST_PROXY), where this request comes from.
  const forwarded = await http().post(API.gene, {}, { 'x-forwarded-proto': 'https' });
  expect(forwarded.headers.get('set-cookie')).toMatch(/; Secure; SameSite=Lax$/);
  const notHttps = await http().post(API.gene, {}, { 'x-forwarded-proto': 'http, https' });
  expect(notHttps.headers.get('set-cookie')).not.toMatch(/Secure/);
});

test('bad input is an envelope: malformed JSON, a wrong type, a body too large', async () => {
  expect((await http().raw(API.scanned, '{"random":', { authorization: 'Bearer x' })).body).toMatchObject({ code: 400, data: null });
  expect((await http().post(API.confirm, { random: 7 }, { authorization: 'Bearer x' })).body.code).toBe(2020);
  const tooLarge = await http().raw(API.gene, JSON.stringify({ customData: { x: 'y'.repeat(20_000) } }));
  expect(tooLarge).toMatchObject({ status: 413, body: { code: 413, data: null } });
  expect((await http().get(API.check)).body).toMatchObject({ code: 400 });
});

test('one access-log line per request, with the route pattern and the client address of a trusted proxy', async () => {
  const from = server().logs.length;
  await http().post(API.gene, {}, { 'x-forwarded-for': '203.0.113.9' });
  await http().get(`${API.check}?random=nothing-here-at-all`);
  // Written on `finish`: the next turn of the event loop at the latest.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(requestLines(from, API.gene)).toEqual([expect.objectContaining({ method: 'POST', status: 200, ip: '203.0.113.9' })]);
  const [check] = requestLines(from, API.check);
  expect(check).toMatchObject({ method: 'GET', status: 200, ip: '127.0.0.1' });
  // The query (where a secret may travel) is never logged.
  expect(JSON.stringify(check)).not.toContain('nothing-here');
});
