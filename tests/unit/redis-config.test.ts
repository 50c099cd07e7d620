/**
 * server/config/redis.ts: one Redis or a Redis Cluster, credentials, replica waits; every
 * problem names the variable, never its value.
 */
import { ConfigError, loadConfig } from '../../server/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('REDIS_CLUSTER_NODES', () => {
  it('takes host:port seeds (and redis:// URLs), picks the Redis store and waits for one replica by default', () => {
    const { config } = loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-a.internal:7001 ,redis://[::1]:7002' });
    expect(config.store).toBe('redis');
    expect(config.redisUrl).toBeNull();
    expect(config.redisClusterNodes).toEqual(['redis://10.0.0.1:7000', 'redis://redis-a.internal:7001', 'redis://[::1]:7002']);
    expect(config.redisWaitReplicas).toBe(1);
  });

  it('rediss:// seeds mean TLS for every node; REDIS_WAIT_REPLICAS=0 turns the wait off', () => {
    const { config } = loadConfig({ REDIS_CLUSTER_NODES: 'rediss://a:7000,rediss://b:7000', REDIS_WAIT_REPLICAS: '0' });
    expect(config.redisClusterNodes).toEqual(['rediss://a:7000', 'rediss://b:7000']);
    expect(config.redisWaitReplicas).toBe(0);
  });

  it.each([['a:7000,,b:7000'], ['a'], ['a:99999'], ['redis://user:hunter2@a:7000'], ['http://a:7000']])(
    'refuses %j without echoing it',
    (value) => {
      const problems = problemsOf({ REDIS_CLUSTER_NODES: value });
      expect(problems).toEqual([
        'REDIS_CLUSTER_NODES must be host:port entries (or redis:// / rediss:// URLs without credentials) separated by commas',
      ]);
      expect(problems.join(' ')).not.toContain('hunter2');
    },
  );

  it('refuses mixed TLS and plain seeds', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis://a:7000,rediss://b:7000' })).toEqual([
      'REDIS_CLUSTER_NODES must all use redis:// or all rediss://',
    ]);
  });

  it('is exclusive with REDIS_URL', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://b:6379' })).toEqual([
      'set REDIS_URL or REDIS_CLUSTER_NODES, not both',
    ]);
  });

  it('STORE=memory contradicts it', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000', STORE: 'memory' })).toEqual([
      'STORE=memory and REDIS_CLUSTER_NODES contradict each other: set one',
    ]);
  });
});

describe('REDIS_USERNAME / REDIS_PASSWORD / REDIS_WAIT_REPLICAS', () => {
  it('are read for a cluster and for one Redis', () => {
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_USERNAME: 'qrlogin', REDIS_PASSWORD: 'hunter2-secret' }).config;
    expect([cluster.redisUsername, cluster.redisPassword]).toEqual(['qrlogin', 'hunter2-secret']);
    const single = loadConfig({ REDIS_URL: 'redis://a:6379', REDIS_PASSWORD: 'hunter2-secret', REDIS_WAIT_REPLICAS: '1' }).config;
    expect([single.redisUsername, single.redisPassword, single.redisWaitReplicas]).toEqual([null, 'hunter2-secret', 1]);
  });

  it('credentials in REDIS_URL and in REDIS_PASSWORD at once are a problem that names neither value', () => {
    const problems = problemsOf({ REDIS_URL: 'redis://:in-url-secret@a:6379', REDIS_PASSWORD: 'hunter2-secret' });
    expect(problems).toEqual(['REDIS_URL carries credentials already: set them there or in REDIS_USERNAME/REDIS_PASSWORD, not both']);
    expect(problems.join(' ')).not.toMatch(/secret/);
  });

  it('credentials without any Redis are a problem', () => {
    expect(problemsOf({ REDIS_PASSWORD: 'hunter2-secret' })).toEqual([
      'REDIS_USERNAME and REDIS_PASSWORD need REDIS_URL or REDIS_CLUSTER_NODES',
    ]);
  });

  it('REDIS_WAIT_REPLICAS is an integer from 0 to 16', () => {
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_WAIT_REPLICAS: '-1' })).toEqual([
      'REDIS_WAIT_REPLICAS must be an integer from 0 to 16',
    ]);
  });
});
