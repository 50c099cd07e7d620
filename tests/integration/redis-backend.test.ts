/**
 * The Backend contract (tests/contract/backend.contract.ts) against the Redis backend on the
 * machine's Redis, under a key prefix of its own (deleted afterwards); a second instance on the
 * same prefix shares the generated signing key.
 */
import { createClient } from 'redis';
import { createRedisBackend } from '../../server/backend/redis';
import { createLogger } from '../../server/logger';
import { REDIS_URL, deleteByPrefix, uniquePrefix } from '../helpers/cluster';
import { backendContract } from '../contract/backend.contract';

/** Each test's own prefix; every one is deleted afterwards (other files run beside this one). */
const prefixes: string[] = [];
let prefix = uniquePrefix();
const make = () =>
  createRedisBackend({
    target: { kind: 'standalone', url: REDIS_URL },
    prefix,
    signingKey: null,
    keyRetainMs: 60_000,
    logger: createLogger('silent'),
    now: Date.now,
  });

beforeEach(() => {
  prefix = uniquePrefix();
  prefixes.push(prefix);
});

afterAll(async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for (const used of prefixes) await deleteByPrefix(client, used);
  await client.close();
});

backendContract('redis', { make, sibling: make });
