/**
 * server/logger.ts `redact()`: the copy every log line's fields become, credential-named fields
 * replaced at any depth and spelling, errors reduced to {name, message}, cycles cut off.
 */
import { redact } from '../../server/logger';

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
      users: [
        { username: 'alice', password: 'pw' },
        { username: 'bob', cookie: 'ck' },
      ],
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
      users: [
        { username: 'alice', password: '[redacted]' },
        { username: 'bob', cookie: '[redacted]' },
      ],
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
