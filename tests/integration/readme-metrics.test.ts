/**
 * The README's "Metrics" subsection holds: its table names every metric the server defines
 * (server/metrics/names.ts) and nothing else of qrlogin's, and its `prometheus.yml` scrapes a real
 * server as Prometheus would run that job: the metrics path and scheme of the block, the bearer
 * token read from the `credentials_file`, asked from a public address (TRUST_PROXY=loopback lets
 * the test's X-Forwarded-For stand for one).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { METRIC } from '../../server/metrics/names';
import { readmeBlock, readmeSection } from '../helpers/readme-blocks';
import { startServer } from '../helpers/server';

interface ScrapeJob {
  job_name: string;
  metrics_path: string;
  scheme: string;
  authorization: { type: string; credentials_file: string };
  static_configs: { targets: string[] }[];
}

const TOKEN = 'readme-metrics-token-0123456789abcdef';

test('the metrics table names exactly the metrics the server defines', () => {
  const observability = readmeSection('Observability');
  const metricsPart = observability.slice(observability.indexOf('### Metrics'));
  const tabled = [...metricsPart.matchAll(/^\| `(qrlogin_\w+)` \|/gm)].map((match) => match[1]);
  expect(tabled.sort()).toEqual(Object.values(METRIC).sort());
});

test('the README scrape job reads a server that is reached from a public address, with the token file', async () => {
  const config = parse(readmeBlock('prometheus.yml')) as { scrape_configs: ScrapeJob[] };
  const [job] = config.scrape_configs;
  if (!job) throw new Error('no scrape job');
  expect(job.authorization.type).toBe('Bearer');
  expect(job.static_configs[0]?.targets.length).toBeGreaterThan(0);

  const dir = await mkdtemp(join(tmpdir(), 'qrlogin-prometheus-'));
  const server = await startServer({ env: { TRUST_PROXY: 'loopback', METRICS_TOKEN: TOKEN } });
  try {
    // Prometheus reads the credentials file as it is, trailing newline trimmed.
    const tokenFile = join(dir, 'qrlogin-metrics-token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    const credentials = (await readFile(tokenFile, 'utf8')).trim();
    const target = `${job.scheme}://${new URL(server.url).host}${job.metrics_path}`;
    const publicClient = { 'x-forwarded-for': '203.0.113.50' };

    const scraped = await fetch(target, { headers: { ...publicClient, authorization: `${job.authorization.type} ${credentials}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scraped.text();
    for (const name of Object.values(METRIC)) expect(text).toContain(`# TYPE ${name} `);

    const refused = await fetch(target, { headers: publicClient });
    expect(refused.status).toBe(403);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
