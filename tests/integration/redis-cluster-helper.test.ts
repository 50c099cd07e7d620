/**
 * The throwaway Redis Cluster of tests/helpers/redis-cluster.ts, against node-redis's cluster
 * client: keys in every shard, a coordinated failover that loses nothing, a crashed master whose
 * replica takes over with every write acknowledged by WAIT, and the crashed node rejoining as a
 * replica.
 */
import { createClient, createCluster } from 'redis';
import { type ThrowawayRedisCluster, startRedisCluster } from '../helpers/redis-cluster';

jest.setTimeout(60_000);

type Cluster = ReturnType<typeof createCluster>;

let cluster: ThrowawayRedisCluster;
const opened: Cluster[] = [];

/** A node-redis cluster client on the seeds; it learns the slot map when it connects. */
async function connectCluster(): Promise<Cluster> {
  const client = createCluster({ rootNodes: cluster.seeds.map((seed) => ({ url: `redis://${seed}` })) });
  client.on('error', () => {}); // a killed node's connection errors until it is back
  opened.push(client);
  await client.connect();
  return client;
}

/** ROLE of one node, through a plain client of its own. */
async function roleOf(address: string): Promise<unknown[]> {
  const client = createClient({ url: `redis://${address}` });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.sendCommand<unknown[]>(['ROLE']);
  } finally {
    client.destroy();
  }
}

/** One key per master, found by asking the helper which master serves it. */
async function keyPerMaster(): Promise<Map<string, string>> {
  const byMaster = new Map<string, string>();
  for (let i = 0; byMaster.size < 3 && i < 100; i++) {
    const key = `helper-key-${i}`;
    const master = await cluster.masterOf(key);
    if (!byMaster.has(master)) byMaster.set(master, key);
  }
  return byMaster;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  for (const client of opened) client.destroy();
  await cluster?.dispose();
});

test('3 masters, each with a replica, serve all 16384 slots', async () => {
  expect(cluster.seeds).toHaveLength(6);
  expect(cluster.nodes.map((node) => node.address)).toEqual(cluster.seeds);
  const masters = await cluster.masters();
  expect(masters).toHaveLength(3);
  const slots = masters.flatMap((master) => master.slots).reduce((sum, [first, last]) => sum + last - first + 1, 0);
  expect(slots).toBe(16384);
});

test('the cluster client writes and reads keys on every master', async () => {
  const client = await connectCluster();
  const keys = [...(await keyPerMaster()).values()];
  expect(keys).toHaveLength(3);
  for (const key of keys) await client.set(key, `value of ${key}`);
  for (const key of keys) expect(await client.get(key)).toBe(`value of ${key}`);
});

test('failover(key) hands the shard to its replica, the old master becomes its replica, no write is lost', async () => {
  const client = await connectCluster();
  const key = 'failover-key';
  await client.set(key, 'before the failover');
  const before = await cluster.masterOf(key);
  const { from, to } = await cluster.failover(key);
  expect(from).toBe(before);
  expect(to).not.toBe(from);
  expect(await cluster.masterOf(key)).toBe(to);
  expect((await cluster.masters()).map((master) => master.address)).not.toContain(from);
  const role = await roleOf(from);
  expect(role[0]).toBe('slave');
  expect(`${String(role[1])}:${String(role[2])}`).toBe(to);
  expect(await client.get(key)).toBe('before the failover'); // MOVED: node-redis follows it
});

test('killMaster(key) promotes a replica that has every write acknowledged by WAIT; restart() brings the node back as a replica', async () => {
  const client = await connectCluster();
  const key = 'killed-master-key';
  await client.set(key, 'acknowledged');
  expect(await client.sendCommand<number>(key, false, ['WAIT', '1', '1000'])).toBeGreaterThanOrEqual(1);

  const { killed, promoted } = await cluster.killMaster(key);
  expect(promoted).not.toBe(killed);
  expect(await cluster.masterOf(key)).toBe(promoted);
  const after = await connectCluster(); // node-redis refreshes its slot map only on MOVED
  expect(await after.get(key)).toBe('acknowledged');
  await after.set(key, 'written after the promotion');

  await cluster.restart(killed);
  await cluster.waitHealthy();
  const role = await roleOf(killed);
  expect(role[0]).toBe('slave');
  expect(`${String(role[1])}:${String(role[2])}`).toBe(promoted);
  expect(role[3]).toBe('connected');
  expect((await cluster.masters()).map((master) => master.address)).not.toContain(killed);
  expect(await after.get(key)).toBe('written after the promotion');
});
