/**
 * server/domain/secrets.ts: CSPRNG ids and secrets, hashing, constant-time comparison.
 */
import { createHash } from 'node:crypto';
import { RANDOM_PATTERN } from '../../shared/qr-payload';
import {
  newJti,
  newRandom,
  newSecret,
  newTicket,
  newUserId,
  randomToken,
  safeEqual,
  secretMatches,
  sha256,
  SHARD_TAG_LENGTH,
  shardTag,
  ticketKey,
} from '../../server/domain/secrets';

const URL_SAFE = /^[A-Za-z0-9_-]+$/;

/** The number of bytes a base64url string encodes, checking it is canonical (no padding). */
function decodedBytes(value: string): number {
  const bytes = Buffer.from(value, 'base64url');
  expect(bytes.toString('base64url')).toBe(value);
  return bytes.length;
}

describe('random values', () => {
  it.each([
    ['newRandom', newRandom, 16, 22],
    ['newUserId', newUserId, 16, 22],
    ['newJti', newJti, 16, 22],
    ['newSecret', newSecret, 32, 43],
  ] as const)('%s is URL-safe base64 of %i bytes (%i characters)', (_name, make, bytes, chars) => {
    for (let i = 0; i < 20; i += 1) {
      const value = make();
      expect(value).toMatch(URL_SAFE);
      expect(value).toHaveLength(chars);
      expect(decodedBytes(value)).toBe(bytes);
    }
  });

  it("a ticket is 32 bytes (43 characters) that begin with its QR's shard tag; it is kept under tag.sha256(ticket)", () => {
    for (let i = 0; i < 20; i += 1) {
      const random = newRandom();
      const { ticket, key } = newTicket(random);
      expect(ticket).toMatch(URL_SAFE);
      expect(ticket).toHaveLength(43);
      expect(decodedBytes(ticket)).toBe(32);
      expect(ticket.slice(0, SHARD_TAG_LENGTH)).toBe(random.slice(0, SHARD_TAG_LENGTH));
      expect(shardTag(ticket)).toBe(shardTag(random));
      expect(key).toBe(`${shardTag(random)}.${sha256(ticket)}`);
      expect(ticketKey(ticket)).toBe(key);
    }
    const random = newRandom();
    expect(new Set(Array.from({ length: 50 }, () => newTicket(random).ticket)).size).toBe(50);
  });

  it('randomToken(n) encodes n bytes', () => {
    for (const n of [1, 8, 16, 33, 64]) expect(decodedBytes(randomToken(n))).toBe(n);
  });

  it('pooled entropy is handed out once: over many pool refills, no 8-byte run repeats', () => {
    const words = new Set<string>();
    let total = 0;
    for (let i = 0; i < 3000; i += 1) {
      const bytes = Buffer.from(randomToken(i % 3 === 0 ? 16 : i % 3 === 1 ? 32 : 24), 'base64url');
      for (let at = 0; at + 8 <= bytes.length; at += 8) {
        words.add(bytes.subarray(at, at + 8).toString('hex'));
        total += 1;
      }
    }
    expect(total).toBeGreaterThan(8000);
    expect(words.size).toBe(total);
    expect(decodedBytes(randomToken(4096))).toBe(4096);
  });

  it('a QR random passes the QR payload parser’s pattern', () => {
    for (let i = 0; i < 100; i += 1) expect(RANDOM_PATTERN.test(newRandom())).toBe(true);
  });

  it('10,000 randoms are distinct, and so are 10,000 secrets', () => {
    const randoms = new Set(Array.from({ length: 10_000 }, newRandom));
    const secrets = new Set(Array.from({ length: 10_000 }, newSecret));
    expect(randoms.size).toBe(10_000);
    expect(secrets.size).toBe(10_000);
  });

  it('bits are not stuck: every base64url character position varies over 1,000 randoms', () => {
    const values = Array.from({ length: 1000 }, newRandom);
    for (let position = 0; position < 22; position += 1) {
      const seen = new Set(values.map((value) => value[position]));
      // The last character holds only 2 bits of entropy (4 possible characters).
      expect(seen.size).toBeGreaterThanOrEqual(position === 21 ? 4 : 50);
    }
  });
});

describe('sha256', () => {
  it('is base64url SHA-256 of the UTF-8 text', () => {
    for (const value of ['', 'abc', 'pässwörd-✓']) {
      expect(sha256(value)).toBe(createHash('sha256').update(Buffer.from(value, 'utf8')).digest('base64url'));
    }
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe('safeEqual', () => {
  it.each([
    ['same text', 'abc', 'abc', true],
    ['both empty', '', '', true],
    ['same unicode text', 'héllo✓', 'héllo✓', true],
    ['one character differs', 'abcdef', 'abcdeg', false],
    ['first character differs', 'xbcdef', 'abcdef', false],
    ['prefix', 'abc', 'abcd', false],
    ['longer', 'abcd', 'abc', false],
    ['empty vs text', '', 'a', false],
    ['case differs', 'ABC', 'abc', false],
    ['same length in characters, not in bytes', 'é', 'ee', false],
  ] as const)('%s', (_name, a, b, equal) => {
    expect(safeEqual(a, b)).toBe(equal);
    expect(safeEqual(b, a)).toBe(equal);
  });
});

describe('secretMatches', () => {
  const secret = newSecret();
  const hash = sha256(secret);

  it('accepts the right secret', () => {
    expect(secretMatches(secret, hash)).toBe(true);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['another secret', newSecret()],
    ['the secret with a trailing space', `${secret} `],
    ['the hash itself', hash],
  ])('refuses %s', (_name, candidate) => {
    expect(secretMatches(candidate, hash)).toBe(false);
  });

  it('refuses the right secret against another hash, and against an empty hash', () => {
    expect(secretMatches(secret, sha256(newSecret()))).toBe(false);
    expect(secretMatches(secret, '')).toBe(false);
  });

  it('refuses secrets longer than 512 characters, even when the hash matches', () => {
    const long = 'a'.repeat(513);
    expect(secretMatches(long, sha256(long))).toBe(false);
    const max = 'a'.repeat(512);
    expect(secretMatches(max, sha256(max))).toBe(true);
  });

  it('does not throw on a non-string (untyped input from the wire)', () => {
    const notAString = 12345 as unknown as string;
    expect(secretMatches(notAString, sha256('12345'))).toBe(false);
  });
});
