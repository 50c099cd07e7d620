/**
 * @module
 * Ids and secrets from the CSPRNG, their hashes, and constant-time comparison.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * CSPRNG bytes are drawn 4 KiB at a time and handed out once each (as Node's own
 * `randomUUID` caches its entropy): one call into OpenSSL per ~170 tokens instead of one per
 * token. A slice is zeroed as soon as it has been encoded.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** A URL-safe random string of `bytes` bytes of entropy (base64url, no padding). */
export function randomToken(bytes: number): string {
  if (bytes > POOL_BYTES / 8) return randomBytes(bytes).toString('base64url');
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const token = pool.toString('base64url', offset, offset + bytes);
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return token;
}

/** QR id, public: 128 bits. */
export const newRandom = (): string => randomToken(16);
/** Browser secret: 256 bits, returned once, stored only as a hash. */
export const newSecret = (): string => randomToken(32);
/**
 * How many leading characters of a QR's `random` its ticket begins with too. Redis keeps a QR
 * and its ticket under this shared part as the Cluster hash tag (one slot), so the confirming
 * step writes both atomically; the rest of the ticket is random.
 */
export const SHARD_TAG_LENGTH = 3;

/** The Redis Cluster hash tag of a QR id or a ticket. */
export const shardTag = (id: string): string => id.slice(0, SHARD_TAG_LENGTH);

/**
 * Ticket of the QR `random`: 32 bytes base64url (43 characters), single use; its first
 * {@link SHARD_TAG_LENGTH} characters are the QR's, the other 40 random (238 bits).
 */
export function newTicket(random: string): { ticket: string; key: string } {
  const ticket = shardTag(random) + randomToken(32).slice(SHARD_TAG_LENGTH);
  return { ticket, key: ticketKey(ticket) };
}

/** Where a ticket is kept: `<shard tag>.<SHA-256 of the ticket>`; the ticket itself never is. */
export const ticketKey = (ticket: string): string => `${shardTag(ticket)}.${sha256(ticket)}`;

/**
 * A number-matching code (2 digits) and the phone's three choices: the code and two other
 * codes, in random order. Guessing the right one blindly succeeds 1 time in 3 per try.
 */
export function newMatch(): { code: string; choices: string[] } {
  const two = () => String(randomInt(100)).padStart(2, '0');
  const code = two();
  const choices = new Set([code]);
  while (choices.size < 3) choices.add(two());
  const shuffled = [...choices];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
  }
  return { code, choices: shuffled };
}

/** User id: 128 bits. */
export const newUserId = (): string => randomToken(16);
/** JWT id. */
export const newJti = (): string => randomToken(16);

/**
 * SHA-256 of a high-entropy value (secrets, tickets, app secrets), base64url. Fast hashing is
 * right for 256-bit random values; passwords use scrypt instead (auth/passwords.ts).
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare against itself when lengths differ, so the time does not depend on the content.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Whether `secret` hashes to `expectedHash`, in constant time. */
export function secretMatches(secret: string | null | undefined, expectedHash: string): boolean {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > 512) return false;
  return safeEqual(sha256(secret), expectedHash);
}
