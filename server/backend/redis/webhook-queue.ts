/**
 * @module
 * The webhook queue in Redis, shared by every instance on the same Redis and prefix: a job
 * outlives the instance that queued or claimed it, and each claim goes to one instance. Key
 * layout (under `<prefix>`, all in the `{webhooks}` hash tag, ./keys.ts):
 * - `{webhooks}:due`: waiting job ids, a sorted set by due time (epoch ms);
 * - `{webhooks}:leases`: claimed job ids, a sorted set by the end of their lease;
 * - `{webhooks}:job:<id>`: a hash of `data`, `group` (the app), `attempt` and `lease` (the
 *   holding claim's token, empty while waiting), kept at most {@link JOB_RETENTION_MS} (a safety net: a job
 *   leaves when delivered or given up, within the delivery schedule).
 * Each method is one Lua script. A claim first puts the jobs whose lease has ended (their
 * instance died, or stalled) back among the due ones, then moves due jobs to the leases with
 * a fresh token: atomic, so concurrent claims on several instances never share a job. Times
 * come from the caller's clock, as for the other Redis stores.
 */
import type { Clock } from '../../domain/clock';
import { randomToken } from '../../domain/secrets';
import type { ClaimLimit, ClaimedJob, WebhookQueue } from '../webhook-queue';
import type { RedisCommands } from './client';
import { guarded } from './deadline';
import { redisKeys } from './keys';

/** How long a job's hash may live at most (well past the longest delivery schedule). */
export const JOB_RETENTION_MS = 7 * 24 * 3_600_000;

/** KEYS: due, job. ARGV: id, data, due time, retention (ms), group. 1 when added, 0 when the id is queued already. */
const ADD = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'data', ARGV[2], 'attempt', 0, 'lease', '', 'group', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/**
 * KEYS: due, leases. ARGV: now, lease end, max, token, the jobs' key prefix (same slot), the
 * share per group (0: no limit), the window, then group and held-count pairs.
 * Returns id, data, attempt for each job claimed. A member whose hash is gone is dropped; one of
 * a group at its share stays where it is.
 */
const CLAIM = `
local max = tonumber(ARGV[3])
local per = tonumber(ARGV[6])
local counts = {}
for i = 8, #ARGV, 2 do counts[ARGV[i]] = tonumber(ARGV[i + 1]) end
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, max)
for i = 1, #ended, 2 do
  redis.call('ZREM', KEYS[2], ended[i])
  redis.call('ZADD', KEYS[1], ended[i + 1], ended[i])
end
local out = {}
local taken = 0
local look = per > 0 and ARGV[7] or ARGV[3]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, look)) do
  if taken >= max then break end
  local key = ARGV[5] .. id
  local fields = redis.call('HMGET', key, 'data', 'group')
  local data = fields[1]
  if not data then
    redis.call('ZREM', KEYS[1], id)
  else
    local group = fields[2] or ''
    local count = counts[group] or 0
    if per == 0 or count < per then
      counts[group] = count + 1
      taken = taken + 1
      redis.call('ZREM', KEYS[1], id)
      local attempt = redis.call('HINCRBY', key, 'attempt', 1)
      redis.call('HSET', key, 'lease', ARGV[4])
      redis.call('ZADD', KEYS[2], ARGV[2], id)
      out[#out + 1] = id
      out[#out + 1] = data
      out[#out + 1] = attempt
    end
  end
end
return out
`;

/** KEYS: due, leases. ARGV: lease end, the jobs' key prefix, then id and token pairs. The ids renewed. */
const RENEW = `
local kept = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', ARGV[2] .. id, 'lease') == ARGV[i + 1] then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[2], ARGV[1], id)
    kept[#kept + 1] = id
  end
end
return kept
`;

/**
 * KEYS: due, leases, job. ARGV: id, token, what (complete | retry | release), due time, data.
 * 1 when the token still holds the job, 0 otherwise (nothing done).
 */
const SETTLE = `
if ARGV[2] == '' or redis.call('HGET', KEYS[3], 'lease') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] == 'complete' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[3])
  return 1
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('HSET', KEYS[3], 'lease', '')
if ARGV[3] == 'release' then redis.call('HINCRBY', KEYS[3], 'attempt', -1) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], 'data', ARGV[5]) end
return 1
`;

export class RedisWebhookQueue implements WebhookQueue {
  readonly durable = true;
  private readonly keys: ReturnType<typeof redisKeys>['webhooks'];

  constructor(
    private readonly client: RedisCommands,
    prefix: string,
    private readonly now: Clock = Date.now,
  ) {
    this.keys = redisKeys(prefix).webhooks;
  }

  async add(id: string, data: string, dueAt: number, group = ''): Promise<boolean> {
    const reply = await guarded(
      this.client.eval(ADD, {
        keys: [this.keys.due, this.keys.job(id)],
        arguments: [id, data, String(dueAt), String(JOB_RETENTION_MS), group],
      }),
    );
    return reply === 1;
  }

  async claim(max: number, leaseMs: number, limit?: ClaimLimit): Promise<ClaimedJob[]> {
    if (max <= 0) return [];
    const now = this.now();
    const lease = randomToken(16);
    const share = limit
      ? [String(Math.max(1, limit.perGroup)), String(limit.window), ...[...limit.held].flatMap(([g, n]) => [g, String(n)])]
      : ['0', '0'];
    const reply = (await guarded(
      this.client.eval(CLAIM, {
        keys: [this.keys.due, this.keys.leases],
        arguments: [String(now), String(now + leaseMs), String(max), lease, this.keys.job(''), ...share],
      }),
    )) as unknown[];
    const jobs: ClaimedJob[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      jobs.push({ id: String(reply[i]), data: String(reply[i + 1]), attempt: Number(reply[i + 2]), lease });
    }
    return jobs;
  }

  async renew(jobs: readonly Pick<ClaimedJob, 'id' | 'lease'>[], leaseMs: number): Promise<string[]> {
    if (jobs.length === 0) return [];
    const pairs = jobs.flatMap(({ id, lease }) => [id, lease]);
    const reply = (await guarded(
      this.client.eval(RENEW, {
        keys: [this.keys.due, this.keys.leases],
        arguments: [String(this.now() + leaseMs), this.keys.job(''), ...pairs],
      }),
    )) as unknown[];
    return reply.map(String);
  }

  complete(id: string, lease: string): Promise<boolean> {
    return this.settle(id, lease, 'complete', 0);
  }

  retry(id: string, lease: string, dueAt: number, data?: string): Promise<boolean> {
    return this.settle(id, lease, 'retry', dueAt, data);
  }

  release(id: string, lease: string, dueAt?: number): Promise<boolean> {
    return this.settle(id, lease, 'release', dueAt ?? this.now());
  }

  async count(): Promise<number> {
    const [due, leased] = await Promise.all([guarded(this.client.zCard(this.keys.due)), guarded(this.client.zCard(this.keys.leases))]);
    return Number(due) + Number(leased);
  }

  private async settle(id: string, lease: string, what: 'complete' | 'retry' | 'release', dueAt: number, data = ''): Promise<boolean> {
    const reply = await guarded(
      this.client.eval(SETTLE, {
        keys: [this.keys.due, this.keys.leases, this.keys.job(id)],
        arguments: [id, lease, what, String(dueAt), data],
      }),
    );
    return reply === 1;
  }
}
