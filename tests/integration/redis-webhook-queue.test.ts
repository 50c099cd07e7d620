/**
 * The webhook queue contract against a real Redis (REDIS_TEST_URL, default the machine's
 * redis://127.0.0.1:6379), each case under its own key prefix, removed afterwards; two
 * connections (two instances) share the queue. The queue reads its owner's clock, so a fake
 * one moves due times and leases here too. Plus the key layout: under the prefix, in one hash tag.
 */
import { RedisWebhookQueue } from '../../server/backend/redis/webhook-queue';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { webhookQueueContract } from '../contract/webhook-queue.contract';
import { redisStoreUnderTest, useRedisPrefix } from '../helpers/store-under-test';
import { movableClock } from '../helpers/time';

webhookQueueContract(
  'redis',
  async () => {
    const clock = movableClock(Date.now());
    const { store, sibling, cleanup } = await redisStoreUnderTest((client, prefix) => new RedisWebhookQueue(client, prefix, clock.now));
    return { queue: store, clock, sibling, cleanup };
  },
  true,
);

describe('RedisWebhookQueue key layout', () => {
  let client: AnyRedisClient;
  let prefix: string;
  const { keysUnder } = useRedisPrefix((c, p) => {
    client = c;
    prefix = p;
  });

  it('a waiting job is a member of the due set and a hash with a TTL; a claimed one moves to the leases; a completed one is gone', async () => {
    const clock = movableClock(Date.now());
    const queue = new RedisWebhookQueue(client, prefix, clock.now);
    await queue.add('msg_a', '{"appId":"shop"}', clock.now() + 1000, 'shop');
    expect(await keysUnder()).toEqual(['{webhooks}:due', '{webhooks}:job:msg_a']);
    expect(await client.zScore(`${prefix}{webhooks}:due`, 'msg_a')).toBe(clock.now() + 1000);
    expect(await client.pTTL(`${prefix}{webhooks}:job:msg_a`)).toBeGreaterThan(6 * 24 * 3_600_000);
    clock.advance(1000);
    const [job] = await queue.claim(5, 30_000);
    expect(await keysUnder()).toEqual(['{webhooks}:job:msg_a', '{webhooks}:leases']);
    expect(await client.zScore(`${prefix}{webhooks}:leases`, 'msg_a')).toBe(clock.now() + 30_000);
    expect(await client.hGetAll(`${prefix}{webhooks}:job:msg_a`)).toEqual({
      data: '{"appId":"shop"}',
      group: 'shop',
      attempt: '1',
      lease: job?.lease,
    });
    await queue.complete('msg_a', job?.lease ?? '');
    expect(await keysUnder()).toEqual([]);
  });

  it('a member whose job hash is gone is dropped by the next claim', async () => {
    const queue = new RedisWebhookQueue(client, prefix, Date.now);
    await queue.add('msg_b', 'data', Date.now());
    await client.del(`${prefix}{webhooks}:job:msg_b`);
    expect(await queue.claim(5, 30_000)).toEqual([]);
    expect(await keysUnder()).toEqual([]);
  });
});
