/**
 * Who may read `GET /metrics`: loopback and private addresses, as Express judges the client
 * address under `TRUST_PROXY` (here `loopback`, so the test's `X-Forwarded-For` stands for a
 * client behind a local proxy), or anyone with `METRICS_TOKEN`; 403 for everyone else, with
 * nothing of the token in the answer or the logs. `METRICS=off` serves nothing.
 */
import { METRIC } from '../../server/metrics/names';
import { scrape } from '../helpers/prometheus';
import { startServer, useServer } from '../helpers/server';

const TOKEN = 'metrics-token-for-tests-0123456789';
const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...headers });

describe('with METRICS_TOKEN', () => {
  const server = useServer({ env: { TRUST_PROXY: 'loopback', METRICS_TOKEN: TOKEN } });

  test.each([
    ['loopback itself (no proxy)', null],
    ['127.0.0.9', '127.0.0.9'],
    ['::1', '::1'],
    ['10/8', '10.20.30.40'],
    ['172.16/12', '172.31.255.1'],
    ['192.168/16', '192.168.1.5'],
    ['fc00::/7', 'fd12:3456::1'],
    ['IPv4-mapped private', '::ffff:192.168.1.5'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
  ])('%s is served without a token', async (_name, address) => {
    const answer = await scrape(server().url, address === null ? {} : from(address));
    expect(answer.status).toBe(200);
    expect(answer.value(METRIC.backendUp)).toBe(1);
  });

  test.each([
    ['a public IPv4', '203.0.113.7'],
    ['just past 172.16/12', '172.32.0.1'],
    ['a public IPv6', '2001:db8::1'],
    ['IPv4-mapped public', '::ffff:8.8.8.8'],
    ['link-local', '169.254.1.1'],
  ])('%s gets 403 without the token, 200 with it', async (_name, address) => {
    const refused = await scrape(server().url, from(address));
    expect(refused.status).toBe(403);
    expect(refused.contentType).toMatch(/^text\/plain/);
    expect(refused.text).not.toContain('qrlogin_');
    const allowed = await scrape(server().url, from(address, { authorization: `Bearer ${TOKEN}` }));
    expect(allowed.status).toBe(200);
    expect(allowed.value(METRIC.backendUp)).toBe(1);
  });

  test('a wrong, partial or unprefixed token is refused, and neither token reaches the answer or a log line', async () => {
    const address = from('198.51.100.23');
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`, 'Bearer ']) {
      const answer = await scrape(server().url, { ...address, authorization });
      expect(answer.status).toBe(403);
      expect(answer.text).not.toContain(TOKEN.slice(0, 12));
    }
    expect(server().logs.join('\n')).not.toContain(TOKEN.slice(0, 12));
  });

  test('a client that is not a trusted proxy cannot claim a private address', async () => {
    // The chain ends at a public client, whatever private address it put first.
    const answer = await scrape(server().url, from('10.0.0.1, 203.0.113.7'));
    expect(answer.status).toBe(403);
  });
});

test('without METRICS_TOKEN a public address is refused whatever it presents', async () => {
  const server = await startServer({ env: { TRUST_PROXY: 'loopback' } });
  try {
    expect((await scrape(server.url, from('203.0.113.7', { authorization: 'Bearer null' }))).status).toBe(403);
    expect((await scrape(server.url, from('203.0.113.7', { authorization: `Bearer ${TOKEN}` }))).status).toBe(403);
    expect((await scrape(server.url)).status).toBe(200);
  } finally {
    await server.close();
  }
});

test('METRICS=off: nothing is served at /metrics', async () => {
  const server = await startServer({ env: { METRICS: 'off' } });
  try {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  } finally {
    await server.close();
  }
});
