/**
 * The access log of a real server: one `info` line per HTTP request once it is answered (`debug`
 * for probes and scrapes answered 2xx), with the method, the Express route pattern (the path
 * when no route answered), the status, the duration and the client address as Express judges it
 * (TRUST_PROXY), and never a query string, even when the URL carried a secret in one (issue 16).
 */
import { API, type GeneData } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { rawRequest } from '../helpers/raw-http';
import { useServer } from '../helpers/server';
import { waitUntil } from '../helpers/sockets';

const server = useServer();

interface AccessLine {
  level: string;
  msg: string;
  instance: string;
  method: string;
  route: string;
  status: number;
  ms: number;
  ip: string;
}

const accessLines = () =>
  server()
    .logs.map((line) => JSON.parse(line) as AccessLine & Record<string, unknown>)
    .filter((entry) => entry.msg === 'request');

/** The access line of the `n`th request whose route is `route`, once written. */
async function lineFor(route: string, n = 1): Promise<AccessLine> {
  await waitUntil(() => accessLines().filter((entry) => entry.route === route).length >= n, 5_000);
  const line = accessLines().filter((entry) => entry.route === route)[n - 1];
  if (!line) throw new Error(`no access line for ${route}`);
  return line;
}

test('a request is one info line: method, route pattern, status, ms and ip; the query string never appears', async () => {
  const http = api(server().url);
  const qr = dataOf(await http.post<GeneData>(API.gene, {}));
  // The secret where it must never be sent, in the query: the log keeps the route only.
  const check = await fetch(`${server().url}${API.check}?random=${qr.random}&secret=${qr.secret}`);
  expect(check.status).toBe(200);

  expect(await lineFor(API.gene)).toEqual({
    time: expect.any(String),
    level: 'info',
    instance: expect.any(String),
    msg: 'request',
    method: 'POST',
    route: API.gene,
    status: 200,
    ms: expect.any(Number),
    ip: '127.0.0.1',
  });
  const checked = await lineFor(API.check);
  expect(checked).toMatchObject({ method: 'GET', route: '/api/v2/qrcode/check', status: 200 });
  expect(checked.ms).toBeGreaterThanOrEqual(0);
  for (const line of server().logs) expect(line).not.toContain(qr.secret);
  for (const entry of accessLines()) expect(entry.route).not.toContain('?');
});

test('a route with a parameter is logged as its pattern, not the value', async () => {
  const http = api(server().url);
  const answer = await http.delete(`${API.sessions}/some-session-id`, { authorization: 'Bearer not-a-token' });
  expect(answer.body.code).toBe(2020);
  expect(await lineFor(`${API.sessions}/:id`)).toMatchObject({ method: 'DELETE', status: 200 });
  expect(server().logs.join('\n')).not.toContain('some-session-id');

  const page = await fetch(`${server().url}/oidc/interaction/no-such-interaction?ui_locales=en`);
  await page.text();
  expect(await lineFor('/oidc/interaction/:uid')).toMatchObject({ method: 'GET', status: page.status });
  expect(server().logs.join('\n')).not.toContain('no-such-interaction');
});

test('no route: the path without its query; the status as answered', async () => {
  const missing = await fetch(`${server().url}/no/such/page?token=QUERY-TOKEN-VALUE-0123456789`);
  expect(missing.status).toBe(404);
  expect(await lineFor('/no/such/page')).toMatchObject({ method: 'GET', status: 404 });
  const unknownApi = await fetch(`${server().url}/api/v2/nothing-here?secret=QUERY-SECRET-VALUE`);
  await unknownApi.text();
  expect(await lineFor('/api/v2/nothing-here')).toMatchObject({ method: 'GET', status: unknownApi.status });
  const logs = server().logs.join('\n');
  expect(logs).not.toContain('QUERY-TOKEN-VALUE');
  expect(logs).not.toContain('QUERY-SECRET-VALUE');
});

test('the client address as Express judges it: a trusted proxy’s X-Forwarded-For (TRUST_PROXY=loopback)', async () => {
  const before = accessLines().filter((entry) => entry.route === '/livez').length;
  const answer = await rawRequest(server().url, { path: '/livez?probe=1', headers: { 'x-forwarded-for': '203.0.113.9' } });
  expect(answer.status).toBe(200);
  expect(await lineFor('/livez', before + 1)).toMatchObject({ method: 'GET', status: 200, ip: '203.0.113.9' });
});

test('every request gets its line, each written once', async () => {
  const start = accessLines().filter((entry) => entry.route === '/readyz').length;
  await Promise.all(Array.from({ length: 5 }, () => fetch(`${server().url}/readyz`).then((response) => response.text())));
  await lineFor('/readyz', start + 5);
  // Nothing more arrives for them (bounded wait for a duplicate that must not come).
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(accessLines().filter((entry) => entry.route === '/readyz')).toHaveLength(start + 5);
});

test('probes and scrapes answered 2xx are debug lines (a steady stream at info would bury the rest); other requests info', async () => {
  const counted = (route: string) => accessLines().filter((entry) => entry.route === route).length;
  const [livez, readyz, metrics] = [counted('/livez'), counted('/readyz'), counted('/metrics')];
  for (const path of ['/livez', '/readyz', '/metrics']) expect((await fetch(`${server().url}${path}`)).status).toBe(200);
  expect(await lineFor('/livez', livez + 1)).toMatchObject({ level: 'debug', status: 200 });
  expect(await lineFor('/readyz', readyz + 1)).toMatchObject({ level: 'debug', status: 200 });
  expect(await lineFor('/metrics', metrics + 1)).toMatchObject({ level: 'debug', status: 200 });
  // A refused scrape is worth seeing.
  const refused = await rawRequest(server().url, { path: '/metrics', headers: { 'x-forwarded-for': '203.0.113.9' } });
  expect(refused.status).toBe(403);
  expect(await lineFor('/metrics', metrics + 2)).toMatchObject({ level: 'info', status: 403 });
  await fetch(`${server().url}/.well-known/jwks.json`);
  expect(await lineFor('/.well-known/jwks.json')).toMatchObject({ level: 'info', status: 200 });
});
