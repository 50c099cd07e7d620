/**
 * server/domain/secrets.ts (CSPRNG ids and secrets, hashing, constant-time comparison) and
 * server/logger.ts (JSON lines, level filtering, redaction of credential-like fields).
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
} from '../../server/domain/secrets';
import { createLogger, redact, type LogLevel } from '../../server/logger';

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
    ['newTicket', newTicket, 32, 43],
  ] as const)('%s is URL-safe base64 of %i bytes (%i characters)', (_name, make, bytes, chars) => {
    for (let i = 0; i < 20; i += 1) {
      const value = make();
      expect(value).toMatch(URL_SAFE);
      expect(value).toHaveLength(chars);
      expect(decodedBytes(value)).toBe(bytes);
    }
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

describe('createLogger', () => {
  function capture(level: LogLevel) {
    const lines: string[] = [];
    const logger = createLogger(level, (line) => lines.push(line));
    const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    return { logger, lines, entries };
  }

  it('writes one JSON line per entry with time, level, message and fields', () => {
    const { logger, lines, entries } = capture('info');
    const before = Date.now();
    logger.info('qr created', { random: 'R1', appId: 'demo', n: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [entry] = entries();
    expect(entry).toEqual({ time: expect.any(String), level: 'info', msg: 'qr created', random: 'R1', appId: 'demo', n: 3 });
    const time = Date.parse(String(entry?.time));
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThanOrEqual(Date.now() + 1);
    expect(String(entry?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes an entry without fields', () => {
    const { logger, entries } = capture('info');
    logger.warn('careful');
    expect(entries()).toEqual([{ time: expect.any(String), level: 'warn', msg: 'careful' }]);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('level %s writes %j', (level, written) => {
    const { logger, entries } = capture(level);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((entry) => entry.level)).toEqual(written);
    expect(entries().map((entry) => entry.msg)).toEqual(written.map((name) => name[0]));
  });

  it('redacts credentials in the written line', () => {
    const { logger, lines, entries } = capture('info');
    logger.info('exchange', {
      ticket: 'TICKET-VALUE-1',
      headers: { Authorization: 'Bearer TOKEN-VALUE-2', cookie: 'qrlogin_x=SECRET-VALUE-3' },
      attempts: [{ password: 'PASSWORD-VALUE-4', user: 'alice' }],
      random: 'R1',
    });
    for (const value of ['TICKET-VALUE-1', 'TOKEN-VALUE-2', 'SECRET-VALUE-3', 'PASSWORD-VALUE-4']) {
      expect(lines[0]).not.toContain(value);
    }
    expect(entries()[0]).toMatchObject({
      ticket: '[redacted]',
      headers: { Authorization: '[redacted]', cookie: '[redacted]' },
      attempts: [{ password: '[redacted]', user: 'alice' }],
      random: 'R1',
    });
  });

  it('writes an error field as {name, message} without the stack', () => {
    const { logger, lines, entries } = capture('error');
    logger.error('failed', { err: new RangeError('out of range') });
    expect(entries()[0]?.err).toEqual({ name: 'RangeError', message: 'out of range' });
    expect(lines[0]).not.toContain('stack');
    expect(lines[0]).not.toContain('.test.ts');
  });
});

describe('redact', () => {
  it('replaces credential-named fields, nested, in arrays, case-insensitively, and keeps the rest', () => {
    const input = {
      secret: 's',
      SECRET: 'S',
      browserSecret: 'bs',
      ticket: 't',
      ticketHash: 'th',
      token: 'tk',
      idToken: 'it',
      Password: 'p',
      passwordHash: 'ph',
      authorization: 'a',
      AUTHORIZATION: 'A',
      Cookie: 'c',
      'x-qrlogin-secret': 'xs',
      random: 'R',
      userId: 'u',
      status: 2,
      ok: true,
      nothing: null,
      nested: { deeper: { token: 'nt', keep: 'k' }, list: ['plain', { secret: 'ls', name: 'n' }] },
      users: [{ username: 'alice', password: 'pw' }, { username: 'bob', cookie: 'ck' }],
    };
    const snapshot = structuredClone(input);
    expect(redact(input)).toStrictEqual({
      secret: '[redacted]',
      SECRET: '[redacted]',
      browserSecret: '[redacted]',
      ticket: '[redacted]',
      ticketHash: '[redacted]',
      token: '[redacted]',
      idToken: '[redacted]',
      Password: '[redacted]',
      passwordHash: '[redacted]',
      authorization: '[redacted]',
      AUTHORIZATION: '[redacted]',
      Cookie: '[redacted]',
      'x-qrlogin-secret': '[redacted]',
      random: 'R',
      userId: 'u',
      status: 2,
      ok: true,
      nothing: null,
      nested: { deeper: { token: '[redacted]', keep: 'k' }, list: ['plain', { secret: '[redacted]', name: 'n' }] },
      users: [{ username: 'alice', password: '[redacted]' }, { username: 'bob', cookie: '[redacted]' }],
    });
    // A copy: the input is untouched.
    expect(input).toStrictEqual(snapshot);
  });

  it('redacts a credential field whatever its value is (object, array, number)', () => {
    expect(redact({ token: { a: 1 }, secret: ['x'], ticket: 5 })).toStrictEqual({
      token: '[redacted]',
      secret: '[redacted]',
      ticket: '[redacted]',
    });
  });

  it('reduces errors to {name, message}, also inside objects and arrays', () => {
    const error = new TypeError('bad input');
    expect(redact(error)).toStrictEqual({ name: 'TypeError', message: 'bad input' });
    expect(redact({ cause: error, list: [new Error('x')] })).toStrictEqual({
      cause: { name: 'TypeError', message: 'bad input' },
      list: [{ name: 'Error', message: 'x' }],
    });
  });

  it('keeps primitives as they are', () => {
    expect(redact('text')).toBe('text');
    expect(redact(42)).toBe(42);
    expect(redact(null)).toBeNull();
    expect(redact(undefined)).toBeUndefined();
  });

  it('cuts off very deep structures instead of recursing forever', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const out = JSON.stringify(redact(cyclic));
    expect(out).toContain('[…]');
    expect(out.length).toBeLessThan(500);
  });
});

describe('logger hardening', () => {
  it('a caller cannot overwrite the entry’s own fields, and credential-shaped strings are scrubbed anywhere', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const secret = 'vYCPE8Mm6wqWZh2c6W0tgmLEUgmACDdAJyVICZFt8CA';
    logger.info(`message with ${secret}`, {
      level: 'error',
      msg: 'forged',
      random: 'M-bRr-byeqitdBQrSxBNlQ',
      error: new Error(`jwt malformed: ${jwt}`),
      when: new Date(0),
      payload: Buffer.from('abc'),
    });
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'message with [redacted]',
      random: 'M-bRr-byeqitdBQrSxBNlQ',
      error: { name: 'Error', message: 'jwt malformed: [redacted]' },
      when: '1970-01-01T00:00:00.000Z',
      payload: '[3 bytes]',
    });
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).not.toContain(jwt);
  });
});
