/**
 * The OIDC store contract against a real Redis (REDIS_TEST_URL, default the machine's
 * redis://127.0.0.1:6379), each case under its own key prefix, removed afterwards; two
 * connections (two instances) share the entries. Plus the key layout: every key of an entry,
 * index and grant under the prefix, with a TTL, and each in its own hash tag.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisOidcStore } from '../../server/backend/redis/oidc-store';
import type { AnyRedisClient } from '../../server/backend/redis/stores';
import { oidcStoreContract } from '../contract/oidc-store.contract';
import { sleep } from '../helpers/time';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

async function deleteByPrefix(client: AnyRedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

const connect = async (): Promise<AnyRedisClient> => {
  const client: AnyRedisClient = createClient({ url: REDIS_URL });
  await client.connect();
  return client;
};
const freshPrefix = () => `qrlogin-test:${randomBytes(6).toString('base64url')}:`;

oidcStoreContract(
  'redis',
  async () => {
    const client = await connect();
    const others: AnyRedisClient[] = [];
    const prefix = freshPrefix();
    return {
      oidc: new RedisOidcStore(client, prefix, Date.now),
      clock: { now: Date.now, advance: sleep },
      sibling: async () => {
        const other = await connect();
        others.push(other);
        return new RedisOidcStore(other, prefix, Date.now);
      },
      cleanup: async () => {
        await deleteByPrefix(client, prefix);
        await Promise.all([client, ...others].map((each) => each.close()));
      },
    };
  },
  { shared: true },
);

describe('RedisOidcStore key layout', () => {
  let client: AnyRedisClient;
  let prefix: string;
  beforeEach(async () => {
    client = await connect();
    prefix = freshPrefix();
  });
  afterEach(async () => {
    await deleteByPrefix(client, prefix);
    await client.close();
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
