/**
 * The README's Redis Cluster snippet (`cluster.sh`), run as written against a throwaway
 * 3-master, 3-replica cluster that requires a password: its variables, with the seed nodes and
 * the password swapped for the test cluster's, start the built server (what `npm start` runs
 * after building). The banner names the seeds and never the password; a wrong password stops
 * the start with a clear error that does not name it either.
 */
import { execFileSync } from 'node:child_process';
import { API } from '../../shared/http';
import { api } from '../helpers/api';
import { gene } from '../helpers/flow';
import { failedStart, spawnServer } from '../helpers/process-server';
import { readmeBlock } from '../helpers/readme-blocks';
import { type ThrowawayRedisCluster, startRedisCluster } from '../helpers/redis-cluster';

jest.setTimeout(60_000);

const PASSWORD = 'cluster-test-password-7c1d';
let cluster: ThrowawayRedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
  for (const node of cluster.nodes) {
    for (const [name, value] of [
      ['masterauth', PASSWORD],
      ['requirepass', PASSWORD],
    ]) {
      execFileSync('redis-cli', ['-p', String(node.port), '-e', 'CONFIG', 'SET', name as string, value as string]);
    }
  }
}, 60_000);

afterAll(async () => {
  await cluster?.dispose();
});

/** The `NAME=value` assignments in front of the snippet's command. */
function snippetEnv(): Record<string, string> {
  const text = readmeBlock('cluster.sh').replace(/\\\n/g, ' ');
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/(?:^|\s)([A-Z_]+)=(\S+)/g)) env[match[1] ?? ''] = match[2] ?? '';
  return env;
}

test('the snippet names the cluster and its password by the documented variables, and nothing else', () => {
  expect(Object.keys(snippetEnv()).sort()).toEqual(['REDIS_CLUSTER_NODES', 'REDIS_PASSWORD']);
  expect(readmeBlock('cluster.sh')).toContain('npm start');
});

test('with the test cluster’s seeds and password the server starts on the cluster, is ready and serves a QR', async () => {
  const env = { ...snippetEnv(), REDIS_CLUSTER_NODES: cluster.seeds.join(','), REDIS_PASSWORD: PASSWORD };
  const server = await spawnServer({ env });
  try {
    // The store line follows the listening line.
    for (let i = 0; i < 50 && !server.output().includes('"store"'); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.output()).toContain(`cluster ${cluster.seeds.join(',')}`);
    expect(server.output()).not.toContain(PASSWORD);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const qr = await gene(api(server.url));
    expect(qr.random).toEqual(expect.any(String));
    expect((await api(server.url).get(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret })).body.code).toBe(200);
  } finally {
    await server.kill9();
  }
});

test('a wrong password stops the start with an error naming the seeds, never a password', async () => {
  const { code, output } = await failedStart({
    env: { ...snippetEnv(), REDIS_CLUSTER_NODES: cluster.seeds.join(','), REDIS_PASSWORD: 'wrong-password-3f9a' },
  });
  expect(code).not.toBe(0);
  expect(output).toContain('cannot reach Redis (cluster ');
  expect(output).not.toContain('wrong-password-3f9a');
  expect(output).not.toContain(PASSWORD);
});
