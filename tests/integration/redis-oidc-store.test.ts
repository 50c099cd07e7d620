/**
 * The OIDC store contract against a real Redis (REDIS_TEST_URL, default the machine's
 * redis://127.0.0.1:6379), each case under its own key prefix, removed afterwards; two
 * connections (two instances) share the entries. Plus the key layout: every key of an entry,
 * index and grant under the prefix, with a TTL, and each in its own hash tag.
 */
import { RedisOidcStore } from '../../server/backend/redis/oidc-store';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { oidcStoreContract } from '../contract/oidc-store.contract';
import { redisStoreUnderTest, useRedisPrefix } from '../helpers/store-under-test';

oidcStoreContract(
  'redis',
  async () => {
    const { store, ...rest } = await redisStoreUnderTest((client, prefix) => new RedisOidcStore(client, prefix, Date.now));
    return { oidc: store, ...rest };
  },
  { shared: true },
);

describe('RedisOidcStore key layout', () => {
  let client: AnyRedisClient;
  let prefix: string;
  useRedisPrefix((c, p) => {
    client = c;
    prefix = p;
  });

  it('an entry, its indexes and its grant live under the prefix, each with a TTL, tagged by its own id', async () => {
    const oidc = new RedisOidcStore(client, prefix, Date.now);
    await oidc.upsert('DeviceCode', 'd1', { userCode: 'UC1', grantId: 'g1' }, 60);
    await oidc.upsert('AccessToken', 'a1', { grantId: 'g1' }, 120);
    await oidc.upsert('Session', 's1', { uid: 'u1' }, 30);
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch.map(String));
    expect(keys.map((key) => key.slice(prefix.length)).sort()).toEqual([
      'oidc:AccessToken:{a1}',
      'oidc:DeviceCode:{d1}',
      'oidc:Session:{s1}',
      'oidc:grant:{g1}',
      'oidc:uid:Session:{u1}',
      'oidc:userCode:DeviceCode:{UC1}',
    ]);
    const ttl = async (key: string) => client.pTTL(`${prefix}${key}`);
    expect(await ttl('oidc:uid:Session:{u1}')).toBeGreaterThan(29_000);
    expect(await ttl('oidc:uid:Session:{u1}')).toBeLessThanOrEqual(30_000);
    expect(await ttl('oidc:userCode:DeviceCode:{UC1}')).toBeLessThanOrEqual(60_000);
    // The grant lives as long as its longest member.
    expect(await ttl('oidc:grant:{g1}')).toBeGreaterThan(119_000);
    expect(await client.sMembers(`${prefix}oidc:grant:{g1}`)).toEqual(expect.arrayContaining(['DeviceCode:d1', 'AccessToken:a1']));
  });

  it('an entry written without a lifetime has no TTL, and neither has its grant', async () => {
    const oidc = new RedisOidcStore(client, prefix, Date.now);
    await oidc.upsert('RefreshToken', 'r1', { grantId: 'g2' }, 60);
    await oidc.upsert('RefreshToken', 'r2', { grantId: 'g2' });
    expect(await client.pTTL(`${prefix}oidc:RefreshToken:{r2}`)).toBe(-1);
    expect(await client.pTTL(`${prefix}oidc:grant:{g2}`)).toBe(-1);
  });
});
