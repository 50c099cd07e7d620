/**
 * The sign-in store contract against a real Redis (REDIS_TEST_URL, default the machine's
 * redis://127.0.0.1:6379), each case under its own key prefix, removed afterwards; two
 * connections (two instances) share the records. Plus the key layout: every key of one user
 * under the prefix, with a TTL, and all in the user's hash tag (one Redis Cluster slot).
 */
import { RedisSignInStore } from '../../server/backend/redis/sign-in-store';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { signInFixture, signInStoreContract } from '../contract/sign-in-store.contract';
import { redisStoreUnderTest, useRedisPrefix } from '../helpers/store-under-test';

signInStoreContract(
  'redis',
  async () => {
    const { store, ...rest } = await redisStoreUnderTest((client, prefix) => new RedisSignInStore(client, prefix, Date.now));
    return { signIns: store, ...rest };
  },
  { shared: true },
);

describe('RedisSignInStore key layout', () => {
  let client: AnyRedisClient;
  let prefix: string;
  const { keysUnder } = useRedisPrefix((c, p) => {
    client = c;
    prefix = p;
  });
  /** The part of a key Redis Cluster hashes: the first non-empty `{…}` (the whole key without one). */
  const hashTag = (key: string): string => {
    const open = key.indexOf('{');
    const close = open < 0 ? -1 : key.indexOf('}', open + 1);
    return close > open + 1 ? key.slice(open + 1, close) : key;
  };

  it("a user's set and records live under the prefix, each with a TTL, all in the user's hash tag", async () => {
    const signIns = new RedisSignInStore(client, prefix, Date.now);
    const now = Date.now();
    const [short, long] = [
      signInFixture('u1', now - 1000, { id: 's1', expireAt: now + 30_000 }),
      signInFixture('u1', now, { id: 's2', expireAt: now + 120_000 }),
    ];
    await signIns.add(long, 5);
    await signIns.add(short, 5);
    await signIns.add(signInFixture('u2', now, { id: 's3' }), 5);
    expect(await keysUnder()).toEqual(['signin:{u1}:s1', 'signin:{u1}:s2', 'signin:{u2}:s3', 'signins:{u1}', 'signins:{u2}']);
    const ttl = async (key: string) => client.pTTL(`${prefix}${key}`);
    expect(await ttl('signin:{u1}:s1')).toBeGreaterThan(29_000);
    expect(await ttl('signin:{u1}:s1')).toBeLessThanOrEqual(30_000);
    // The set lives as long as its longest record.
    expect(await ttl('signins:{u1}')).toBeGreaterThan(119_000);
    expect(await ttl('signins:{u1}')).toBeLessThanOrEqual(120_000);
    expect(await client.zRangeWithScores(`${prefix}signins:{u1}`, 0, -1)).toEqual([
      { value: 's1', score: now - 1000 },
      { value: 's2', score: now },
    ]);
    // Every key of one user hashes on the user id alone.
    const user1 = (await keysUnder()).filter((key) => key.includes('{u1}')).map((key) => `${prefix}${key}`);
    expect(new Set(user1.map(hashTag))).toEqual(new Set(['u1']));
  });

  it('a user id with a brace, a colon and unicode still puts all its keys in one hash tag', async () => {
    const user = 'ü:s}er';
    const signIns = new RedisSignInStore(client, prefix, Date.now);
    for (const id of ['a', 'b', 'c']) await signIns.add(signInFixture(user, Date.now(), { id }), 2);
    const keys = (await keysUnder()).map((key) => `${prefix}${key}`);
    expect(keys).toHaveLength(3);
    // Redis Cluster hashes up to the first `}`: the same part of every key.
    expect(new Set(keys.map(hashTag))).toEqual(new Set(['ü:s']));
  });

  it('the trim and the remove delete the record keys and the members; list drops members whose record is gone', async () => {
    const signIns = new RedisSignInStore(client, prefix, Date.now);
    const now = Date.now();
    const records = ['a', 'b', 'c'].map((id, index) => signInFixture('u1', now + index, { id }));
    for (const record of records) await signIns.add(record, 2);
    expect(await keysUnder()).toEqual(['signin:{u1}:b', 'signin:{u1}:c', 'signins:{u1}']);
    await signIns.remove('u1', 'b');
    expect(await keysUnder()).toEqual(['signin:{u1}:c', 'signins:{u1}']);
    await client.del(`${prefix}signin:{u1}:c`);
    expect(await signIns.list('u1')).toStrictEqual([]);
    expect(await keysUnder()).toEqual([]);
  });
});
