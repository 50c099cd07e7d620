/**
 * @module
 * The signed-in browsers in Redis, shared by every instance on the same Redis and prefix. Key
 * layout (under `<prefix>`; `{<userId>}` is the hash tag, so all keys of one user are in one
 * slot and every command or script below touches one slot only: ready for Redis Cluster):
 * - `signins:{<userId>}`: a sorted set of the user's record ids scored by `createdAt`, its TTL
 *   the furthest end of its records;
 * - `signin:{<userId>}:<id>`: the record as JSON text, `PX` = until its `expireAt`.
 * An add (with the trim to `max`) and a remove are one script each (atomic: of concurrent
 * removes exactly one gets the record). A member whose record key has ended is skipped, and
 * dropped from the set by the next add or list.
 */
import type { Clock } from '../../domain/clock';
import type { SignInRecord, SignInStore } from '../stores';
import type { RedisCommands } from './client';
import { guarded } from './deadline';
import { redisKeys } from './keys';

/**
 * KEYS: the set, the record's key. ARGV: the record's JSON, its TTL (ms), `createdAt`, id,
 * `max`, the prefix of the user's record keys (`…signin:{<userId>}:`, the same slot). Writes
 * the record, drops members whose record ended, then the oldest past `max` with their records
 * (equal `createdAt`: the lower id first), and keeps the set as long as its longest record.
 */
const ADD = `
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('EXISTS', ARGV[6] .. member) == 0 then redis.call('ZREM', KEYS[1], member) end
end
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, over - 1)) do
    redis.call('DEL', ARGV[6] .. member)
    redis.call('ZREM', KEYS[1], member)
  end
end
local furthest = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  furthest = math.max(furthest, redis.call('PTTL', ARGV[6] .. member))
end
if furthest > 0 then redis.call('PEXPIRE', KEYS[1], furthest) end
return 1
`;

/** KEYS: the set, the record's key; ARGV: the id. The record's JSON, gone with its member; nil when there was none. */
const REMOVE = `
local text = redis.call('GET', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
if not text then return false end
redis.call('DEL', KEYS[2])
return text
`;

export class RedisSignInStore implements SignInStore {
  private readonly keys: ReturnType<typeof redisKeys>['signIns'];

  constructor(
    private readonly client: RedisCommands,
    prefix: string,
    private readonly now: Clock = Date.now,
  ) {
    this.keys = redisKeys(prefix).signIns;
  }

  async add(record: SignInRecord, max: number): Promise<void> {
    const ms = Math.ceil(record.expireAt - this.now());
    // Ended already: it would be invisible at once (and PX must be positive).
    if (ms <= 0) return;
    const { userId, id } = record;
    await guarded(
      this.client.eval(ADD, {
        keys: [this.keys.list(userId), this.keys.record(userId, id)],
        arguments: [JSON.stringify(record), String(ms), String(record.createdAt), id, String(max), this.keys.record(userId, '')],
      }),
    );
  }

  async list(userId: string): Promise<SignInRecord[]> {
    const set = this.keys.list(userId);
    // Newest first; equal `createdAt`, the higher id first (as the other backends list).
    const ids = (await guarded(this.client.zRange(set, 0, -1, { REV: true }))).map(String);
    if (ids.length === 0) return [];
    const texts = await guarded(this.client.mGet(ids.map((id) => this.keys.record(userId, id))));
    const gone = ids.filter((_, index) => texts[index] == null);
    if (gone.length > 0) await guarded(this.client.zRem(set, gone));
    return texts.flatMap((text) => {
      const record = this.#live(text);
      return record ? [record] : [];
    });
  }

  async get(userId: string, id: string): Promise<SignInRecord | null> {
    return this.#live(await guarded(this.client.get(this.keys.record(userId, id))));
  }

  async remove(userId: string, id: string): Promise<SignInRecord | null> {
    const keys = [this.keys.list(userId), this.keys.record(userId, id)];
    const text = (await guarded(this.client.eval(REMOVE, { keys, arguments: [id] }))) as string | null;
    return this.#live(text);
  }

  /** The record in `text`, unless there is none or its `expireAt` passed on this instance's clock. */
  #live(text: string | Buffer | null | undefined): SignInRecord | null {
    if (text == null) return null;
    const record = JSON.parse(text.toString()) as SignInRecord;
    return record.expireAt > this.now() ? record : null;
  }
}
