/**
 * The QR deadlines contract against a real Redis (REDIS_TEST_URL, default the machine's
 * redis://127.0.0.1:6379), each case under its own key prefix, removed afterwards; two
 * connections (two instances) share the deadlines. Plus the key layout: one sorted set.
 */
import { RedisQrDeadlines } from '../../server/backend/redis/qr-deadlines';
import { qrDeadlinesContract } from '../contract/qr-deadlines.contract';
import { uniquePrefix } from '../helpers/cluster';
import { connectRedis, deleteByPrefix, redisStoreUnderTest } from '../helpers/store-under-test';
import { movableClock } from '../helpers/time';

qrDeadlinesContract(
  'redis',
  async () => {
    const clock = movableClock(Date.now());
    const { store, sibling, cleanup } = await redisStoreUnderTest((client, prefix) => new RedisQrDeadlines(client, prefix, clock.now));
    return { deadlines: store, clock, sibling, cleanup };
  },
  true,
);

test('the deadlines are one sorted set under the prefix, scored by deadline, emptied by the takes', async () => {
  const client = await connectRedis();
  const prefix = uniquePrefix();
  try {
    const clock = movableClock(Date.now());
    const deadlines = new RedisQrDeadlines(client, prefix, clock.now);
    await deadlines.add('qr-a', clock.now() + 1_000);
    expect(await client.zRangeWithScores(`${prefix}qr-deadlines`, 0, -1)).toEqual([{ value: 'qr-a', score: clock.now() + 1_000 }]);
    clock.advance(1_000);
    expect(await deadlines.takeDue(10)).toEqual(['qr-a']);
    expect(await client.exists(`${prefix}qr-deadlines`)).toBe(0);
  } finally {
    await deleteByPrefix(client, prefix);
    await client.close();
  }
});
