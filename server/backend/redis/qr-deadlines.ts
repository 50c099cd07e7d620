/**
 * @module
 * QR deadlines in Redis, shared by every instance on the same Redis and prefix: one sorted set
 * (`<prefix>qr-deadlines`, member the QR's `random`, score its deadline in epoch ms). A take is
 * one Lua script that reads the due members and removes them, so concurrent takes on several
 * instances never share a QR. Times come from the caller's clock, as for the other Redis stores.
 */
import type { Clock } from '../../domain/clock';
import type { QrDeadlines } from '../qr-deadlines';
import type { RedisCommands } from './client';
import { guarded } from './deadline';
import { redisKeys } from './keys';

/** KEYS: the set. ARGV: now, max. The members taken, earliest first. */
const TAKE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`;

export class RedisQrDeadlines implements QrDeadlines {
  private readonly key: string;

  constructor(
    private readonly client: RedisCommands,
    prefix: string,
    private readonly now: Clock,
  ) {
    this.key = redisKeys(prefix).qrDeadlines;
  }

  async add(random: string, expireAt: number): Promise<void> {
    await guarded(this.client.zAdd(this.key, { score: expireAt, value: random }));
  }

  async takeDue(max: number): Promise<string[]> {
    if (max <= 0) return [];
    const taken = await guarded(this.client.eval(TAKE, { keys: [this.key], arguments: [String(this.now()), String(max)] }));
    return Array.isArray(taken) ? taken.map(String) : [];
  }
}
