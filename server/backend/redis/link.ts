/**
 * @module
 * One role's connection to Redis (`data`, `pub` or `sub`), whether Redis is one server
 * (`REDIS_URL`) or a Cluster (`REDIS_CLUSTER_NODES`, ./cluster.ts): the key-addressed commands,
 * what the Socket.IO adapter takes, health, `WAIT`, and `down`/`up` for the resync after an
 * interruption. A standalone link is one node-redis client.
 */
import type { Logger } from '../../logger';
import {
  type AnyRedisClient,
  type AnyRedisCluster,
  type RedisClientOptions,
  type RedisCommands,
  type RedisRole,
  createRedisClient,
} from './client';
import { withDeadline } from './deadline';

export type RedisTarget = { kind: 'standalone'; url: string } | { kind: 'cluster'; nodes: readonly string[] };

export interface RedisLink {
  readonly role: RedisRole;
  readonly commands: RedisCommands;
  /** The client the Socket.IO adapter publishes or subscribes on. */
  readonly pubsub: AnyRedisClient | AnyRedisCluster;
  /** Every connection of the link is up (on a Cluster: to every master). */
  isReady(): boolean;
  connect(): Promise<void>;
  /** Resolves when Redis answers (on a Cluster: every master). */
  ping(): Promise<void>;
  /**
   * `WAIT replicas timeoutMs` on the connection that wrote `key`: how many replicas hold every
   * write made on it so far.
   */
  waitReplicas(key: string, replicas: number, timeoutMs: number): Promise<number>;
  /** The node that holds `key` (its master's address on a Cluster; '' for one Redis). */
  nodeOf(key: string): string;
  /**
   * Whether this link holds a shard-channel subscription to `channel` (on a Cluster, on the
   * master that owns its slot now); always true for one Redis, whose client re-subscribes itself.
   */
  holdsShardChannel(channel: string): boolean;
  /** `down`: a connection failed; `up`: every connection works again after one failed. */
  on(event: 'down' | 'up', listener: () => void): void;
  /** Graceful when connected (pending replies awaited for at most a second), else cut off. */
  close(): Promise<void>;
  destroy(): void;
}

export function standaloneLink(url: string, role: RedisRole, logger: Logger, options: RedisClientOptions): RedisLink {
  const client = createRedisClient(url, role, logger, options);
  return {
    role,
    commands: client,
    pubsub: client,
    isReady: () => client.isReady,
    async connect() {
      await client.connect();
    },
    async ping() {
      await client.ping();
    },
    async waitReplicas(_key, replicas, timeoutMs) {
      return Number(await client.sendCommand(['WAIT', String(replicas), String(timeoutMs)]));
    },
    nodeOf: () => '',
    holdsShardChannel: () => true,
    on(event, listener) {
      client.on(event === 'down' ? 'error' : 'ready', listener);
    },
    async close() {
      if (!client.isOpen) return;
      if (client.isReady) {
        try {
          await withDeadline(client.close(), 1_000);
          return;
        } catch {
          // fall through: cut it off
        }
      }
      if (client.isOpen) client.destroy();
    },
    destroy() {
      if (client.isOpen) client.destroy();
    },
  };
}

/** host:port/db of a Redis URL, without credentials. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'unparsable URL';
  }
}

/** Where the data is, for the start-up banner: never a credential. */
export function describeTarget(target: RedisTarget): string {
  return target.kind === 'standalone' ? describeUrl(target.url) : `cluster ${target.nodes.map((node) => new URL(node).host).join(',')}`;
}
