/**
 * The storage contract against a real Redis (REDIS_TEST_URL, default the machine's
 * redis://127.0.0.1:6379), each case under its own key prefix, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { type AnyRedisClient, RedisQrStore, RedisRevokedTokens, RedisScanIndex, RedisUserStore } from '../../server/backend/redis/stores';
import { storeContract } from '../contract/store.contract';
import { sleep } from '../helpers/time';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

async function deleteByPrefix(client: AnyRedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

storeContract('redis', async () => {
  const client: AnyRedisClient = createClient({ url: REDIS_URL });
  await client.connect();
  const prefix = `qrlogin-test:${randomBytes(6).toString('base64url')}:`;
  return {
    store: new RedisQrStore(client, prefix, Date.now),
    users: new RedisUserStore(client, prefix),
    scans: new RedisScanIndex(client, prefix, Date.now),
    revoked: new RedisRevokedTokens(client, prefix, Date.now),
    clock: { now: Date.now, advance: sleep },
    cleanup: async () => {
      await deleteByPrefix(client, prefix);
      await client.close();
    },
  };
});
