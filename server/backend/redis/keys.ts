/**
 * @module
 * Every Redis key and channel name qrlogin uses, in one place, under the deployment's
 * `REDIS_KEY_PREFIX` (the README's "What lives in Redis" lists them).
 */
import { shardTag } from '../../domain/secrets';

/** A ticket key `<tag>.<sha256>` with its hash tag braced (`{<tag>}.<sha256>`); null for a key without a tag. */
function taggedTicket(key: string): string | null {
  const dot = key.indexOf('.');
  return dot < 1 ? null : `{${key.slice(0, dot)}}${key.slice(dot)}`;
}

export function redisKeys(prefix: string) {
  return {
    /** A QR session (JSON), TTL = its retention; the hash tag is its shard tag (domain/secrets.ts). */
    qr: (random: string) => `${prefix}qr:{${shardTag(random)}}${random}`,
    /**
     * A ticket's record by its key `<shard tag>.<sha256>` (domain/secrets.ts), TTL = the
     * ticket's lifetime; a ticket begins with its QR's shard tag, so the two share one Cluster
     * slot and the confirming script writes both.
     */
    ticket: (key: string) => `${prefix}ticket:${taggedTicket(key) ?? key}`,
    /**
     * A ticket just taken (its taking call's claim, then its record), for a few seconds: the
     * same call may take it again after a lost reply (./stores.ts). In the ticket's slot: the
     * ticket key's hash tag, or (a ticket key without one) the whole ticket key as the tag.
     */
    ticketTaken: (key: string) => `${prefix}ticket-taken:${taggedTicket(key) ?? `{${prefix}ticket:${key}}`}`,
    /** A user of the built-in directory (JSON). */
    user: (id: string) => `${prefix}user:${id}`,
    /** A username's owner (lowercased: usernames are unique case-insensitively). */
    username: (name: string) => `${prefix}username:${name.toLowerCase()}`,
    /** A user's undecided scans (sorted set by deadline). */
    scans: (userId: string) => `${prefix}scans:${userId}`,
    /** Every QR's deadline, for the expiry sweep (sorted set: member the `random`, score the deadline). */
    qrDeadlines: `${prefix}qr-deadlines`,
    /** A signed-out user token's `jti`, until the token's own expiry. */
    revoked: (jti: string) => `${prefix}revoked:${jti}`,
    /** A rate-limit window of a rule and a (hashed) subject. */
    rateWindow: (rule: string, subject: string) => `${prefix}rl:${rule}:${subject}`,
    /** The generated signing key shared by every instance (when none is configured). */
    signingKey: `${prefix}signing-key`,
    /** The demo app's generated secret, shared by every instance (when none is configured). */
    demoAppSecret: `${prefix}demo-app-secret`,
    /** Every instance's public key and when it was last announced. */
    jwks: `${prefix}jwks`,
    /** The OpenID Connect store (./oidc-store.ts describes the layout; `{…}` is the hash tag). */
    oidc: {
      /** An entry: a hash of `payload` (JSON) and `consumed`, TTL = its lifetime. */
      entry: (model: string, id: string) => `${prefix}oidc:${model}:{${id}}`,
      /** The id of the `model` entry whose `uid` / `userCode` is `value`, TTL = the entry's. */
      index: (field: 'uid' | 'userCode', model: string, value: string) => `${prefix}oidc:${field}:${model}:{${value}}`,
      /** The set of `<Model>:<id>` of a grant's entries, TTL = the longest of theirs. */
      grant: (grantId: string) => `${prefix}oidc:grant:{${grantId}}`,
    },
    /**
     * The signed-in browsers (./sign-in-store.ts); `{<userId>}` is the hash tag, so every key of
     * one user is in one Redis Cluster slot.
     */
    signIns: {
      /** A user's sign-in ids (sorted set by `createdAt`), TTL = the furthest end of its records. */
      list: (userId: string) => `${prefix}signins:{${userId}}`,
      /** A sign-in record (JSON), TTL = its `expireAt`. */
      record: (userId: string, id: string) => `${prefix}signin:{${userId}}:${id}`,
    },
    /**
     * The webhook delivery queue (./webhook-queue.ts); `{webhooks}` is the hash tag, so the
     * queue's keys share one Redis Cluster slot and each script touches that slot only.
     */
    webhooks: {
      /** Waiting job ids (sorted set by due time). */
      due: `${prefix}{webhooks}:due`,
      /** Claimed job ids (sorted set by the end of their lease). */
      leases: `${prefix}{webhooks}:leases`,
      /** A job: a hash of `data`, `attempt` and `lease` (the holding claim's token). */
      job: (id: string) => `${prefix}{webhooks}:job:${id}`,
    },
    /** The Socket.IO adapter's channel prefix. */
    adapterChannel: `${prefix}socket.io`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
