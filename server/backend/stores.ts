/**
 * @module
 * The storage contract. The memory store (embedded default) and the Redis store implement it
 * with the same semantics, checked by one contract suite (tests/contract/store.contract.ts).
 */
import type { QrSession, TicketRecord } from '../domain/qr-session';
import type { QrDeadlines } from './qr-deadlines';

/** A ticket to write together with the confirming transition. */
export interface NewTicket {
  /**
   * Where the ticket is kept: `<shard tag>.<SHA-256 of the ticket>` (domain/secrets.ts `ticketKey`);
   * the store never needs the ticket itself.
   */
  hash: string;
  record: TicketRecord;
}

export interface QrStore {
  /**
   * Stores a new session, kept until `session.retainUntil`.
   * @returns false when a session with that `random` exists already (nothing is written).
   */
  create(session: QrSession): Promise<boolean>;

  /** The session, or null when it never existed or its retention passed. */
  get(random: string): Promise<QrSession | null>;

  /**
   * Replaces the session only if its stored `version` is still `expectedVersion`, and in the
   * same atomic step writes `ticket` (if given). Keeps the record until `next.retainUntil`.
   * @returns false when the version moved on (or the session is gone): nothing is written.
   */
  compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean>;

  /** The ticket's record without consuming it, or null when unknown or past `expireAt`. */
  peekTicket(key: string): Promise<TicketRecord | null>;

  /**
   * Atomically reads and deletes the ticket: of any number of concurrent calls, at most one
   * gets the record. Null when unknown, already taken, or past `expireAt`.
   */
  takeTicket(key: string): Promise<TicketRecord | null>;
}

/** A user of the built-in directory as stored. */
export interface UserRecord {
  id: string;
  username: string;
  /** scrypt hash in PHC-like form (auth/passwords.ts). */
  passwordHash: string;
  nickname: string;
  photo: string | null;
  email: string | null;
  phone: string | null;
  /** Epoch ms. */
  createdAt: number;
}

export interface UserStore {
  /**
   * Adds a user; usernames are unique case-insensitively.
   * @returns false when the username is taken (nothing is written).
   */
  create(user: UserRecord): Promise<boolean>;
  findById(id: string): Promise<UserRecord | null>;
  findByUsername(username: string): Promise<UserRecord | null>;
}

/**
 * Which QR codes each user has scanned and not yet decided, so one account cannot hold many
 * browsers' logins open at once. Entries end at their QR's deadline by themselves.
 */
export interface ScanIndex {
  /**
   * Atomically: drops the user's entries past their deadline, then records `random` unless
   * the user already holds `max` others. `held`: it was recorded already; `added`: recorded
   * now; `full`: refused, nothing written.
   */
  reserve(userId: string, random: string, until: number, max: number): Promise<'held' | 'added' | 'full'>;
  remove(userId: string, random: string): Promise<void>;
}

/**
 * The phone user tokens signed out before their expiry, by `jti`: a denylist every instance
 * reads, so a token revoked on one is refused on all. An entry ends at `until` (the token's
 * own expiry), when the token is refused anyway.
 */
export interface RevokedTokens {
  /** Denies `jti` until `until` (epoch ms). Revoking again is harmless; a past `until` writes nothing. */
  revoke(jti: string, until: number): Promise<void>;
  /** Whether `jti` was revoked and its `until` has not passed. */
  isRevoked(jti: string): Promise<boolean>;
}

/** A model's record as OpenID Connect keeps it: any JSON object. */
export type OidcPayload = Record<string, unknown>;

/**
 * The models whose entries belong to a grant (a string `grantId` in the payload): the ones
 * `revokeByGrantId` removes. Others may carry a `grantId` too (an Interaction does) and stay.
 */
export const OIDC_GRANT_MEMBERS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * What the OpenID Connect provider stores (codes, tokens, sessions, grants, interactions, …),
 * by model name and id, as JSON objects: the shape of an `oidc-provider` adapter without its
 * types. An entry ends `expiresInSeconds` after it is written (never when not given); an ended
 * entry is gone for every method. Entries are copies: changing a returned payload changes
 * nothing stored.
 */
export interface OidcStore {
  /** Writes (or replaces) the entry, indexing its `uid`, its `userCode` and its grant. */
  upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void>;
  find(model: string, id: string): Promise<OidcPayload | undefined>;
  /** The entry of `model` whose payload's `uid` is `uid` (a Session's). */
  findByUid(model: string, uid: string): Promise<OidcPayload | undefined>;
  /** The entry of `model` whose payload's `userCode` is `userCode` (a DeviceCode's). */
  findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined>;
  /**
   * Marks the entry consumed (`consumed`: epoch seconds), atomically: of any number of
   * concurrent calls, exactly one returns true. False when it was consumed already (the first
   * mark stays) or is gone.
   */
  consume(model: string, id: string): Promise<boolean>;
  /** Removes the entry and its indexes; nothing when it is gone. */
  destroy(model: string, id: string): Promise<void>;
  /** Removes every entry of an {@link OIDC_GRANT_MEMBERS} model whose `grantId` is `grantId`. */
  revokeByGrantId(grantId: string): Promise<void>;
}

/**
 * A signed-in browser: one confirmed login that a website (or the OIDC provider) took, as the
 * phone lists it (`GET /api/v2/sessions`). Its `id` is the `sid` of the ID tokens issued for
 * it, the session id a website's back-channel logout endpoint receives.
 */
export interface SignInRecord {
  /** Random, unguessable; the `sid` claim. */
  id: string;
  userId: string;
  appId: string;
  /** From the requester context of the QR ("Chrome 131", "macOS 14", the client IP). */
  browser: string;
  os: string;
  ip: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms: the record is gone for every method from then on. */
  expireAt: number;
  /** The `uid` of the OpenID Connect provider's session of that browser, for a sign-in through it. */
  providerSession?: string;
}

/**
 * The signed-in browsers of each user. Every method sees only records whose `expireAt` has
 * not passed. Records are copies: changing a returned one changes nothing stored.
 */
export interface SignInStore {
  /**
   * Adds `record`, or replaces the user's record with its id (a sign-in renewed). When the user
   * then has more than `max` live records, the oldest (by `createdAt`) are dropped, atomically
   * with the add.
   */
  add(record: SignInRecord, max: number): Promise<void>;
  /** The user's live records, newest (`createdAt`) first. */
  list(userId: string): Promise<SignInRecord[]>;
  /** One of the user's records, or null (unknown, another user's, or ended). */
  get(userId: string, id: string): Promise<SignInRecord | null>;
  /**
   * Removes one of the user's records and returns it, atomically: of concurrent calls for one
   * record exactly one gets it; null for the others, and for unknown, other users' or ended ones.
   */
  remove(userId: string, id: string): Promise<SignInRecord | null>;
}

/** Everything the app persists, plus readiness and shutdown. */
export interface Stores {
  qr: QrStore;
  /** QR deadlines for the expiry sweep (in Redis shared by the instances; otherwise in this process). */
  deadlines: QrDeadlines;
  users: UserStore;
  scans: ScanIndex;
  revoked: RevokedTokens;
  oidc: OidcStore;
  signIns: SignInStore;
  /** Resolves when the backing store answers; rejects when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
