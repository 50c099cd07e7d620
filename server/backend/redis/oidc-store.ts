/**
 * @module
 * The OpenID Connect store in Redis, shared by every instance on the same Redis and prefix.
 * Key layout (under `<prefix>`; the `{…}` part is the hash tag, so each key's slot is fixed by
 * its own id and no command or script ever touches keys of two slots: ready for Redis Cluster):
 * - `oidc:<Model>:{<id>}`: a hash, `payload` (the JSON text as written) and, once consumed,
 *   `consumed` (epoch seconds); `PX` = the entry's lifetime, none when written without one.
 * - `oidc:uid:<Model>:{<uid>}`, `oidc:userCode:<Model>:{<userCode>}`: the id of the entry
 *   carrying that `uid` / `userCode`, with the entry's TTL.
 * - `oidc:grant:{<grantId>}`: a set of `<Model>:<id>`, the entries of the grant, its TTL the
 *   longest of theirs.
 * An entry and its indexes are written by separate commands (they live in different slots):
 * the indexes are written after the entry and checked on read (the entry must still carry the
 * uid or userCode), so a reader between the two sees nothing stale. Consuming is one script on
 * the entry's key (atomic: exactly one caller consumes); revoking a grant takes its set in one
 * script, then removes each member.
 */
import type { Clock } from '../../domain/clock';
import { OIDC_GRANT_MEMBERS, type OidcPayload, type OidcStore } from '../stores';
import type { RedisCommands } from './client';
import { guarded } from './deadline';
import { redisKeys } from './keys';

/** Sets `consumed` unless set or the entry is gone: 1 when this call consumed it. */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])
`;

/** Adds a member to a grant's set; the set lives as long as its longest member (ARGV[2] ms, -1: forever). */
const JOIN_GRANT = `
local existed = redis.call('EXISTS', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local ms = tonumber(ARGV[2])
if ms < 0 then
  redis.call('PERSIST', KEYS[1])
elseif existed == 0 or (left >= 0 and left < ms) then
  redis.call('PEXPIRE', KEYS[1], ms)
end
return 1
`;

/** The grant's members, and the set gone, in one step. */
const TAKE_GRANT = `
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return members
`;

/** Replaces the entry's fields (ARGV: ms of life, -1 none; then field, value, …). */
const WRITE_ENTRY = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`;

/** The entry's fields (flat: field, value, …), and the entry gone, in one step. */
const TAKE_ENTRY = `
local fields = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return fields
`;

/** Deletes an index only while it still points to this entry's id. */
const DROP_INDEX = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type IndexField = 'uid' | 'userCode';
const INDEXED: IndexField[] = ['uid', 'userCode'];

export class RedisOidcStore implements OidcStore {
  private readonly keys: ReturnType<typeof redisKeys>['oidc'];

  constructor(
    private readonly client: RedisCommands,
    prefix: string,
    private readonly now: Clock = Date.now,
  ) {
    this.keys = redisKeys(prefix).oidc;
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void> {
    const key = this.keys.entry(model, id);
    // -1: no lifetime (no TTL); otherwise the lifetime in ms, none left when not positive.
    const ms = expiresInSeconds === undefined ? -1 : Math.max(0, Math.round(expiresInSeconds * 1000));
    const previous = await this.#read(key);
    if (previous) await this.#unindex(model, id, previous);
    if (ms === 0) {
      await guarded(this.client.del(key));
      return;
    }
    // A payload written consumed stays consumed: the mark is the hash's field.
    const fields = ['payload', JSON.stringify(payload), ...(payload.consumed === undefined ? [] : ['consumed', String(payload.consumed)])];
    await guarded(this.client.eval(WRITE_ENTRY, { keys: [key], arguments: [String(ms), ...fields] }));
    const ttl = ms > 0 ? { PX: ms } : {};
    await Promise.all(
      INDEXED.filter((field) => typeof payload[field] === 'string').map((field) =>
        guarded(this.client.set(this.keys.index(field, model, String(payload[field])), id, ttl)),
      ),
    );
    const grantId = grantOf(model, payload);
    if (grantId !== null) {
      await guarded(this.client.eval(JOIN_GRANT, { keys: [this.keys.grant(grantId)], arguments: [`${model}:${id}`, String(ms)] }));
    }
  }

  find(model: string, id: string): Promise<OidcPayload | undefined> {
    return this.#read(this.keys.entry(model, id));
  }

  findByUid(model: string, uid: string): Promise<OidcPayload | undefined> {
    return this.#findBy(model, 'uid', uid);
  }

  findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined> {
    return this.#findBy(model, 'userCode', userCode);
  }

  async consume(model: string, id: string): Promise<boolean> {
    const epoch = String(Math.floor(this.now() / 1000));
    return (await guarded(this.client.eval(CONSUME, { keys: [this.keys.entry(model, id)], arguments: [epoch] }))) === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    const payload = await this.#take(model, id);
    if (payload) await this.#unindex(model, id, payload);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const members = (await guarded(this.client.eval(TAKE_GRANT, { keys: [this.keys.grant(grantId)] }))) as string[];
    await Promise.all(
      members.map(async (member) => {
        const split = member.indexOf(':');
        const [model, id] = [member.slice(0, split), member.slice(split + 1)];
        const payload = await this.#take(model, id);
        if (payload) await this.#unindex(model, id, payload, false);
      }),
    );
  }

  /** The entry at `key` with its `consumed` mark, or undefined. */
  async #read(key: string): Promise<OidcPayload | undefined> {
    const fields = await guarded(this.client.hGetAll(key));
    return fromHash(fields as Record<string, string>);
  }

  /** Reads and deletes the entry in one transaction. */
  async #take(model: string, id: string): Promise<OidcPayload | undefined> {
    const key = this.keys.entry(model, id);
    const flat = (await guarded(this.client.eval(TAKE_ENTRY, { keys: [key] }))) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
    return fromHash(fields);
  }

  async #findBy(model: string, field: IndexField, value: string): Promise<OidcPayload | undefined> {
    const id = await guarded(this.client.get(this.keys.index(field, model, value)));
    if (id === null) return undefined;
    const payload = await this.find(model, id.toString());
    return payload?.[field] === value ? payload : undefined;
  }

  async #unindex(model: string, id: string, payload: OidcPayload, grant = true): Promise<void> {
    const steps = INDEXED.filter((field) => typeof payload[field] === 'string').map((field) =>
      guarded(this.client.eval(DROP_INDEX, { keys: [this.keys.index(field, model, String(payload[field]))], arguments: [id] })),
    );
    const grantId = grant ? grantOf(model, payload) : null;
    if (grantId !== null) steps.push(guarded(this.client.sRem(this.keys.grant(grantId), `${model}:${id}`)));
    await Promise.all(steps);
  }
}

const grantOf = (model: string, payload: OidcPayload): string | null =>
  OIDC_GRANT_MEMBERS.has(model) && typeof payload.grantId === 'string' ? payload.grantId : null;

function fromHash(fields: Record<string, string> | null | undefined): OidcPayload | undefined {
  if (!fields || fields.payload === undefined) return undefined;
  const payload = JSON.parse(fields.payload) as OidcPayload;
  return fields.consumed === undefined ? payload : { ...payload, consumed: Number(fields.consumed) };
}
