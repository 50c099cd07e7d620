/**
 * @module
 * A throwaway Redis Cluster of the test's own: `masters` shards of one master and
 * `replicasPerMaster` replicas each, every node a `redis-server` on a free 127.0.0.1 port (its
 * cluster bus on that port + 10000), joined by `redis-cli --cluster create`. The test may hand a
 * shard over (`failover`: CLUSTER FAILOVER, no write lost), crash its master (`killMaster`: a
 * replica is promoted once `nodeTimeoutMs` has passed) and start the crashed node again
 * (`restart`: it rejoins as a replica). Persistence is as in redis-server.ts: an append-only
 * file synced on every write. Admin commands go through `redis-cli -p PORT`; every wait is
 * bounded and, when it gives up, says what did not happen, with the last CLUSTER NODES.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';
import { sleep } from './time';

export interface ClusterNode {
  port: number;
  /** '127.0.0.1:port' */
  address: string;
}

export type ClusterMaster = { address: string; port: number; slots: Array<[number, number]> };

export interface ThrowawayRedisCluster {
  /** Seed addresses 'host:port' of every node, for REDIS_CLUSTER_NODES. */
  seeds: string[];
  nodes: ClusterNode[];
  /** Current masters (from CLUSTER NODES of a live node), with the slot ranges they serve. */
  masters(): Promise<ClusterMaster[]>;
  /** The master address currently serving `key` (CLUSTER KEYSLOT + the slot map). */
  masterOf(key: string): Promise<string>;
  /** CLUSTER FAILOVER on a replica of the shard serving `key`; resolves once it is master and the cluster is healthy. */
  failover(key: string): Promise<{ from: string; to: string }>;
  /** SIGKILL the master serving `key`; resolves once a replica serves the key's slot and the live nodes are healthy. */
  killMaster(key: string): Promise<{ killed: string; promoted: string }>;
  /** Starts a killed node again on its port and data (it rejoins as a replica); resolves once the cluster is healthy with it. */
  restart(address: string): Promise<void>;
  /** Waits until every live node is cluster_state:ok, sees the live nodes connected (none a master of no slots) and agrees on the
   * slot map, and every live replica's link is up. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node (SIGKILL), removes the data dirs. Idempotent. */
  dispose(): Promise<void>;
}

export interface RedisClusterOptions {
  /** At least 3 (redis-cli refuses fewer). Default 3. */
  masters?: number;
  /** Default 1. */
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long before a silent master is failed over. Default 1000. */
  nodeTimeoutMs?: number;
}

/** A node as this helper runs it: `log` is the tail of its stdout and stderr. */
type Node = ClusterNode & { dir: string; child: ChildProcess | null; log: string };

/** One line of CLUSTER NODES. */
type NodeLine = { id: string; address: string; flags: string[]; master: string; link: string; slots: Array<[number, number]> };

const SLOTS = 16384;
const WAIT_MS = 20_000;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${(stdout + stderr).trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** One command to one node; an error reply rejects (`-e`). */
const cli = (port: number, ...args: string[]): Promise<string> =>
  run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '-e', ...args], 5_000);

const range = (field: string): [number, number] => [Number(field.split('-')[0]), Number(field.split('-').pop())];

function parseNodes(text: string): NodeLine[] {
  const rows = text.split('\n').filter((row) => row.trim() !== '');
  return rows.map((row) => {
    const [id = '', addr = '', flags = '', master = '-', , , , link = '', ...slots] = row.trim().split(' ');
    const address = addr.split('@')[0] ?? '';
    const served = slots.filter((field) => !field.startsWith('[')).map(range); // '[slot->-id]': a slot on the move
    return { id, address, flags: flags.split(','), master, link, slots: served };
  });
}

const isMaster = (line: NodeLine): boolean => line.flags.includes('master') && !line.flags.includes('fail');
/** Marked 'fail?' (by this node) or 'fail' (by a majority of masters). */
const isFailing = (line: NodeLine): boolean => line.flags.some((flag) => flag.startsWith('fail'));

/** The slot map of one node's view, as one comparable string. */
const slotMap = (lines: NodeLine[]): string =>
  String(lines.flatMap((line) => (line.flags.includes('master') ? line.slots.map(([a, b]) => `${a}-${b}@${line.address}`) : [])).sort());

const slotCount = (lines: NodeLine[]): number =>
  lines.filter(isMaster).reduce((sum, line) => sum + line.slots.reduce((n, [first, last]) => n + last - first + 1, 0), 0);

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` ports P, each with P + 10000 (its cluster bus) free too and no port of one the bus of another. */
async function nodePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  const taken = new Set<number>();
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 500) throw new Error(`found no ${count} free port pairs P, P + 10000 on 127.0.0.1`);
    const port = await freePort();
    const bus = port + 10_000;
    if (bus > 65_535 || taken.has(port) || taken.has(bus) || !(await isFree(bus))) continue;
    ports.push(port);
    taken.add(port).add(bus);
  }
  return ports;
}

async function spawnNode(node: Node, nodeTimeoutMs: number): Promise<void> {
  const args = `--port ${node.port} --bind 127.0.0.1 --appendonly yes --appendfsync always --cluster-enabled yes`.split(' ');
  args.push('--dir', node.dir, '--cluster-config-file', `nodes-${node.port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs));
  // Any replica promotable; and a replica's first sync without waiting 5 s for others to share it.
  args.push('--cluster-replica-validity-factor', '0', '--repl-diskless-sync-delay', '0', '--save', '');
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  node.child = proc;
  node.log = '';
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`redis-server ${node.address} ${why}: ${node.log.slice(-500)}`));
    };
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    const keep = (chunk: Buffer) => {
      node.log = (node.log + chunk.toString()).slice(-8_000);
      if (!node.log.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.once('error', (error) => fail(error.message));
    proc.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
  });
}

async function stopNode(node: Node): Promise<void> {
  const proc = node.child;
  node.child = null;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<ThrowawayRedisCluster> {
  const { masters: masterCount = 3, replicasPerMaster = 1, nodeTimeoutMs = 1_000 } = options;
  const ports = await nodePorts(masterCount * (1 + replicasPerMaster));
  const dir = (port: number) => mkdtempSync(join(tmpdir(), `qrlogin-redis-cluster-${port}-`));
  const nodes: Node[] = ports.map((port) => ({ port, address: `127.0.0.1:${port}`, dir: dir(port), child: null, log: '' }));
  const seeds = nodes.map((node) => node.address);
  const live = () => nodes.filter((node) => node.child !== null && node.child.exitCode === null && node.child.signalCode === null);
  const byAddress = (address: string): Node => {
    const node = nodes.find((candidate) => candidate.address === address);
    if (!node) throw new Error(`${address} is not a node of this cluster (${nodes.map((n) => n.address).join(', ')})`);
    return node;
  };

  /** CLUSTER NODES of the first live node that answers. */
  const view = async (): Promise<{ from: Node; lines: NodeLine[]; text: string }> => {
    for (const from of live()) {
      const text = await cli(from.port, 'CLUSTER', 'NODES').catch(() => null);
      if (text !== null) return { from, lines: parseNodes(text), text };
    }
    throw new Error('Redis Cluster: no live node answered CLUSTER NODES');
  };

  /** Polls `check` (null: done; else what is still missing) until done, for at most `timeoutMs`. */
  const until = async (what: string, check: () => Promise<string | null>, timeoutMs = WAIT_MS): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = await check().catch(errorText);
      if (missing === null) return;
      if (Date.now() > deadline) {
        const last = await view().then(({ from, text }) => `CLUSTER NODES of ${from.address}:\n${text}`, errorText);
        throw new Error(`Redis Cluster: ${what} did not happen within ${timeoutMs} ms (last: ${missing})\n${last}`);
      }
      await sleep(100);
    }
  };

  /** What keeps one live node from being healthy (null: nothing), and its slot map. */
  const nodeProblem = async (node: Node, up: Set<string>): Promise<{ problem: string | null; map: string }> => {
    const replies = ['CLUSTER INFO', 'CLUSTER NODES', 'INFO replication'].map((command) => cli(node.port, ...command.split(' ')));
    const [info = '', text = '', replication = ''] = await Promise.all(replies);
    const lines = parseNodes(text);
    const known = lines.filter((line) => up.has(line.address));
    const unknown = [...up].find((address) => !lines.some((line) => line.address === address));
    const unseen = known.find((line) => line.link !== 'connected' || isFailing(line));
    const idle = known.find((line) => isMaster(line) && line.slots.length === 0);
    const describe = (line?: NodeLine) => (line ? `${line.address} (${line.flags.join(',')} ${line.link})` : '');
    const problems: Array<[boolean, string]> = [
      [!info.includes('cluster_state:ok'), 'is not cluster_state:ok'],
      [slotCount(lines) !== SLOTS, `sees ${slotCount(lines)} of ${SLOTS} slots served`],
      [unknown !== undefined, `does not know ${unknown}`],
      [unseen !== undefined, `sees ${describe(unseen)} as failing or disconnected`],
      [idle !== undefined, `sees ${describe(idle)} as a master of no slots, not yet a replica`],
      [replication.includes('role:slave') && !replication.includes('master_link_status:up'), 'is a replica with its link down'],
    ];
    const problem = problems.find(([failing]) => failing)?.[1];
    return { problem: problem ? `${node.address} ${problem}` : null, map: slotMap(lines) };
  };

  const healthProblem = async (): Promise<string | null> => {
    const up = live();
    const results = await Promise.all(up.map((node) => nodeProblem(node, new Set(up.map(({ address }) => address)))));
    const maps = new Set(results.map(({ map }) => map)).size;
    const problem = up.length === 0 ? 'no node is running' : results.find((result) => result.problem !== null)?.problem;
    return problem ?? (maps === 1 ? null : `the live nodes disagree on the slot map (${maps} different maps)`);
  };

  const waitHealthy = (timeoutMs = WAIT_MS) => until('the cluster becoming healthy', healthProblem, timeoutMs);

  const masters = async (): Promise<ClusterMaster[]> =>
    (await view()).lines.filter(isMaster).map(({ address, slots }) => ({ address, port: Number(address.split(':')[1]), slots }));

  const masterOf = async (key: string): Promise<string> => {
    const { from, lines } = await view();
    const slot = Number(await cli(from.port, 'CLUSTER', 'KEYSLOT', key));
    const master = lines.filter(isMaster).find(({ slots }) => slots.some(([first, last]) => slot >= first && slot <= last));
    if (!master) throw new Error(`no live master serves slot ${slot} (key ${JSON.stringify(key)})`);
    return master.address;
  };

  /** Waits until a master other than `old` serves `key` and the cluster is healthy; resolves with that master. */
  const newMasterOf = async (key: string, old: string, what: string): Promise<string> => {
    let now = old;
    await until(what, async () => {
      now = await masterOf(key);
      return now === old ? `${old} still serves ${JSON.stringify(key)}` : healthProblem();
    });
    return now;
  };

  const dispose = async () => {
    await Promise.all(nodes.map(stopNode));
    for (const node of nodes) rmSync(node.dir, { recursive: true, force: true });
  };

  try {
    await Promise.all(nodes.map((node) => spawnNode(node, nodeTimeoutMs)));
    await run('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], 60_000);
    await waitHealthy();
  } catch (error) {
    await dispose();
    throw error;
  }

  return {
    seeds,
    nodes: nodes.map(({ port, address }) => ({ port, address })),
    masters,
    masterOf,
    async failover(key) {
      const from = await masterOf(key);
      const { lines } = await view();
      const masterId = lines.find((line) => line.address === from)?.id;
      const replicas = lines.filter((line) => line.master === masterId && !isFailing(line)).map(({ address }) => address);
      const replica = live().find((node) => replicas.includes(node.address));
      if (!replica) throw new Error(`Redis Cluster: ${from} (serving ${JSON.stringify(key)}) has no live replica to fail over to`);
      await cli(replica.port, 'CLUSTER', 'FAILOVER'); // an error reply rejects
      const to = await newMasterOf(key, from, `${replica.address} taking over from ${from}`);
      return { from, to };
    },
    async killMaster(key) {
      const killed = await masterOf(key);
      await stopNode(byAddress(killed));
      const promoted = await newMasterOf(key, killed, `a replica taking over from the killed ${killed}`);
      return { killed, promoted };
    },
    async restart(address) {
      const node = byAddress(address);
      if (live().includes(node)) throw new Error(`Redis Cluster: ${address} is already running`);
      await spawnNode(node, nodeTimeoutMs);
      await until(`${address} rejoining the cluster`, healthProblem);
    },
    waitHealthy,
    dispose,
  };
}
