/**
 * @module
 * Rate-limit counters in Redis, shared by every instance: one INCR with the window set on the
 * first hit, in one script, under `<prefix>rl:`.
 */
import type { RedisCommands } from './client';
import { guarded } from './deadline';
import { redisKeys } from './keys';
import type { RateCounterStore } from '../../ratelimit/limiter';

const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

export function createRedisCounters(client: RedisCommands, prefix: string): RateCounterStore {
  const keys = redisKeys(prefix);
  return {
    async hit(rule, key, windowMs) {
      const reply = (await guarded(client.eval(HIT, { keys: [keys.rateWindow(rule, key)], arguments: [String(windowMs)] }))) as [
        number,
        number,
      ];
      return { count: Number(reply[0]), resetMs: Number(reply[1]) };
    },
  };
}
