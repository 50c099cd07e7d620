/**
 * @module
 * What Redis did, read from its own counters: every node of a deployment (one standalone Redis,
 * or each master and replica of a Cluster) is asked `INFO` (and `CLUSTER INFO` on a Cluster) on
 * a connection of the probe's own, and two readings give the work between them: commands (by
 * command, from `commandstats`, which counts the commands Lua scripts run too; and
 * `total_commands_processed`, the ones clients sent), network bytes (clients in and out,
 * replication), CPU, memory, and the bytes each process read and wrote through system calls
 * (/proc/PID/io: clients, replication and the Cluster bus alike). The probe's own `INFO` and
 * `CLUSTER INFO` are taken out of the figures.
 */
import { readFileSync } from 'node:fs';
import { createClient } from 'redis';

type Client = ReturnType<typeof createClient>;

/**
 * Counters a reading holds and a delta sums. Redis 7.0's net bytes include replication (a
 * replica's input, a master's output).
 */
interface RedisCounters {
  netIn: number;
  netOut: number;
  replIn: number;
  replOut: number;
  cpuMs: number;
  /** A reading: used_memory; a delta: its growth between the two readings. */
  usedMemory: number;
  /** /proc/PID/io rchar and wchar: every byte read and written through system calls. */
  ioRead: number;
  ioWrite: number;
  /** CLUSTER INFO cluster_stats_messages_*: bus messages sent, by type (a Cluster only). */
  bus: Record<string, number>;
}

/** One node's counters at one moment. */
export interface NodeReading extends RedisCounters {
  port: number;
  role: string;
  pid: number;
  /** commandstats calls by command (`get`, `eval`, `cluster|slots`…), the probe's own left out. */
  calls: Record<string, number>;
  /** commandstats usec (time spent executing) by command. */
  usec: Record<string, number>;
  /** total_commands_processed, the probe's own left out. */
  processed: number;
  /** This reading's own requests: bytes and commands (counted in the next interval's figures). */
  probeIn: number;
  probeCalls: number;
  /** This reading's replies: Redis writes them after counting, so they fall in the next interval. */
  probeOut: number;
}

/** Work between two readings, summed over nodes (or of one kind of node). */
export interface RedisDelta extends RedisCounters {
  /** commandstats calls, every command a script ran included. */
  commands: number;
  /** Commands clients sent (a script counts once). */
  processed: number;
  byCommand: Record<string, number>;
  usecByCommand: Record<string, number>;
}

const PROBE_COMMANDS = new Set(['info', 'cluster|info']);
const INFO = ['INFO', 'server', 'replication', 'stats', 'cpu', 'memory', 'commandstats'];
const CLUSTER_INFO = ['CLUSTER', 'INFO'];

/** Bytes of a command as RESP puts it on the wire (what Redis counts in total_net_input_bytes). */
const respLength = (args: string[]): number =>
  args.reduce((sum, arg) => sum + `$${Buffer.byteLength(arg)}\r\n`.length + Buffer.byteLength(arg) + 2, `*${args.length}\r\n`.length);
/** Bytes of a bulk string reply. */
const bulkLength = (text: string): number => `$${Buffer.byteLength(text)}\r\n`.length + Buffer.byteLength(text) + 2;

function fields(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) map.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return map;
}

function procIo(pid: number): { read: number; write: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { read: Number(/rchar: (\d+)/.exec(io)?.[1] ?? 0), write: Number(/wchar: (\d+)/.exec(io)?.[1] ?? 0) };
  } catch {
    return { read: 0, write: 0 };
  }
}

export interface RedisProbe {
  ports: number[];
  read(): Promise<NodeReading[]>;
  close(): Promise<void>;
}

/**
 * A probe of the nodes at `ports` on 127.0.0.1. Each reading's own traffic (the request it sends,
 * the reply it gets) lands in the next interval's counters; `delta` takes it out again.
 */
export async function redisProbe(ports: number[], cluster = false): Promise<RedisProbe> {
  const clients: Client[] = [];
  for (const port of ports) {
    const client = createClient({ socket: { host: '127.0.0.1', port } });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
  }
  async function readNode(client: Client, port: number): Promise<NodeReading> {
    const infoText = String(await client.sendCommand(INFO));
    const clusterText = cluster ? String(await client.sendCommand(CLUSTER_INFO)) : '';
    const info = fields(infoText);
    const num = (key: string) => Number(info.get(key) ?? 0);
    const calls: Record<string, number> = {};
    const usec: Record<string, number> = {};
    for (const [key, value] of info) {
      if (!key.startsWith('cmdstat_')) continue;
      const name = key.slice('cmdstat_'.length);
      if (PROBE_COMMANDS.has(name)) continue;
      calls[name] = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
      usec[name] = Number(/usec=(\d+)/.exec(value)?.[1] ?? 0);
    }
    const bus: Record<string, number> = {};
    for (const [key, value] of fields(clusterText)) {
      const match = /^cluster_stats_messages_(.+)_sent$/.exec(key);
      if (match?.[1]) bus[match[1]] = Number(value);
    }
    const pid = num('process_id');
    const io = procIo(pid);
    return {
      port,
      role: info.get('role') ?? 'unknown',
      pid,
      calls,
      usec,
      processed: num('total_commands_processed'),
      netIn: num('total_net_input_bytes'),
      netOut: num('total_net_output_bytes'),
      replIn: num('total_net_repl_input_bytes'),
      replOut: num('total_net_repl_output_bytes'),
      cpuMs: (num('used_cpu_user') + num('used_cpu_sys')) * 1000,
      usedMemory: num('used_memory'),
      ioRead: io.read,
      ioWrite: io.write,
      bus,
      probeIn: respLength(INFO) + (cluster ? respLength(CLUSTER_INFO) : 0),
      probeCalls: cluster ? 2 : 1,
      probeOut: bulkLength(infoText) + (cluster ? bulkLength(clusterText) : 0),
    };
  }
  return {
    ports,
    read: () => Promise.all(clients.map((client, i) => readNode(client, ports[i] ?? 0))),
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

const sumRecord = (into: Record<string, number>, from: Record<string, number>, to: Record<string, number>) => {
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const value = (to[key] ?? 0) - (from[key] ?? 0);
    if (value !== 0) into[key] = (into[key] ?? 0) + value;
  }
};

/**
 * The work between readings `from` and `to` of the same nodes, summed over those that pass
 * `which` (every node by default), the probe's own traffic taken out: the requests of the
 * readings at `from` (sent after INFO counted them) and at `to` are in between, and so are the
 * replies of the readings at `from` (written after INFO counted them).
 */
export function delta(from: NodeReading[], to: NodeReading[], which: (node: NodeReading) => boolean = () => true): RedisDelta {
  const out: RedisDelta = {
    commands: 0,
    processed: 0,
    byCommand: {},
    usecByCommand: {},
    netIn: 0,
    netOut: 0,
    replIn: 0,
    replOut: 0,
    cpuMs: 0,
    usedMemory: 0,
    ioRead: 0,
    ioWrite: 0,
    bus: {},
  };
  for (const end of to) {
    const start = from.find((node) => node.port === end.port);
    if (!start || !which(end)) continue;
    const reply = start.probeOut;
    sumRecord(out.byCommand, start.calls, end.calls);
    sumRecord(out.usecByCommand, start.usec, end.usec);
    out.processed += end.processed - start.processed - start.probeCalls;
    out.netIn += end.netIn - start.netIn - start.probeIn;
    out.netOut += end.netOut - start.netOut - reply;
    out.replIn += end.replIn - start.replIn;
    out.replOut += end.replOut - start.replOut;
    out.cpuMs += end.cpuMs - start.cpuMs;
    out.usedMemory += end.usedMemory - start.usedMemory;
    out.ioRead += end.ioRead - start.ioRead - start.probeIn;
    out.ioWrite += end.ioWrite - start.ioWrite - reply;
    sumRecord(out.bus, start.bus, end.bus);
  }
  out.commands = Object.values(out.byCommand).reduce((sum, calls) => sum + calls, 0);
  return out;
}
