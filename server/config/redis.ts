/**
 * @module
 * The Redis settings: one Redis (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`), the
 * credentials for either (`REDIS_USERNAME`, `REDIS_PASSWORD`) and how many replicas must hold a
 * confirmation before it is answered (`REDIS_WAIT_REPLICAS`). No value is ever named in a
 * problem: a URL may carry a password.
 */
import type { Reader } from './reader';

export interface RedisConfig {
  /** `REDIS_URL`: one Redis. @default null */
  redisUrl: string | null;
  /**
   * `REDIS_CLUSTER_NODES`: seed nodes of a Redis Cluster, `host:port` (or `redis://host:port`,
   * `rediss://host:port` for TLS) separated by commas, normalised to URLs; exclusive with
   * `REDIS_URL`. @default null
   */
  redisClusterNodes: readonly string[] | null;
  /** `REDIS_USERNAME` (an ACL user) for every Redis connection. @default null */
  redisUsername: string | null;
  /** `REDIS_PASSWORD` for every Redis connection. @default null */
  redisPassword: string | null;
  /**
   * `REDIS_WAIT_REPLICAS`: replicas that must acknowledge a confirmation (Redis `WAIT`, up to
   * 250 ms) before the phone is told it succeeded, so a failover cannot take it back.
   * @default 1 with `REDIS_CLUSTER_NODES`, else 0
   */
  redisWaitReplicas: number;
}

export function readRedis(read: Reader, problems: string[]): RedisConfig {
  const redisUrl = read.url('REDIS_URL', ['redis:', 'rediss:']) ?? null;
  const redisClusterNodes = readNodes(read.raw('REDIS_CLUSTER_NODES'), problems);
  if (redisUrl && redisClusterNodes) problems.push('set REDIS_URL or REDIS_CLUSTER_NODES, not both');
  const redisUsername = read.raw('REDIS_USERNAME') ?? null;
  const redisPassword = read.raw('REDIS_PASSWORD') ?? null;
  if ((redisUsername || redisPassword) && !redisUrl && !redisClusterNodes) {
    problems.push('REDIS_USERNAME and REDIS_PASSWORD need REDIS_URL or REDIS_CLUSTER_NODES');
  }
  if (redisUrl && (redisUsername || redisPassword) && /^rediss?:\/\/[^/]*@/.test(redisUrl)) {
    problems.push('REDIS_URL carries credentials already: set them there or in REDIS_USERNAME/REDIS_PASSWORD, not both');
  }
  return {
    redisUrl,
    redisClusterNodes,
    redisUsername,
    redisPassword,
    redisWaitReplicas: read.int('REDIS_WAIT_REPLICAS', redisClusterNodes ? 1 : 0, 0, 16),
  };
}

const NODE = /^(?:(rediss?):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function readNodes(value: string | undefined, problems: string[]): readonly string[] | null {
  if (value === undefined) return null;
  const nodes: string[] = [];
  const schemes = new Set<string>();
  for (const entry of value.split(',').map((each) => each.trim())) {
    const match = NODE.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65_535) {
      problems.push('REDIS_CLUSTER_NODES must be host:port entries (or redis:// / rediss:// URLs without credentials) separated by commas');
      return null;
    }
    const scheme = match[1] ?? 'redis';
    schemes.add(scheme);
    nodes.push(`${scheme}://${match[2]}:${port}`);
  }
  if (schemes.size > 1) {
    problems.push('REDIS_CLUSTER_NODES must all use redis:// or all rediss://');
    return null;
  }
  return Object.freeze(nodes);
}
