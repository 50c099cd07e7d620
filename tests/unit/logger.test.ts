/**
 * server/logger.ts (pino underneath): JSON lines with `time`, `level` as a label, `instance`
 * and `msg`; level filtering; credential-named fields redacted at any depth and
 * credential-shaped strings scrubbed; pino-pretty text only when asked.
 */
import { hostname } from 'node:os';
import { createLogger, type LogFormat, type LogLevel } from '../../server/logger';

function capture(level: LogLevel, format: LogFormat = 'json', instance = 'host-a:3000') {
  const lines: string[] = [];
  const logger = createLogger(level, (line) => lines.push(line), { instance, format });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('createLogger', () => {
  it('writes one JSON line per entry with time, level, instance, message and fields', () => {
    const { logger, lines, entries } = capture('info');
    const before = Date.now();
    logger.info('qr created', { random: 'R1', appId: 'demo', n: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [entry] = entries();
    expect(entry).toEqual({
      time: expect.any(String),
      level: 'info',
      instance: 'host-a:3000',
      msg: 'qr created',
      random: 'R1',
      appId: 'demo',
      n: 3,
    });
    const time = Date.parse(String(entry?.time));
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThanOrEqual(Date.now() + 1);
    expect(String(entry?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes an entry without fields', () => {
    const { logger, entries } = capture('info');
    logger.warn('careful');
    expect(entries()).toEqual([{ time: expect.any(String), level: 'warn', instance: 'host-a:3000', msg: 'careful' }]);
  });

  it('writes each call as its own line, synchronously, in order', () => {
    const { logger, lines, entries } = capture('debug');
    for (let index = 0; index < 5; index++) {
      logger.info('step', { index });
      expect(lines).toHaveLength(index + 1);
    }
    expect(entries().map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4]);
    for (const line of lines) expect(line.trim()).toBe(line);
  });

  it('writes the level as its label, as operators and tests read it', () => {
    const { logger, lines } = capture('debug');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((line) => /"level":"(\w+)"/.exec(line)?.[1])).toEqual(['debug', 'info', 'warn', 'error']);
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

  it('names this machine as the instance when it is not told one', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).info('x');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ instance: hostname() });
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

  it('redacts credential-named fields at any depth and in any spelling, beyond pino’s own paths', () => {
    const { logger, lines, entries } = capture('info');
    logger.info('deep', {
      a: { b: { c: { idToken: 'DEEP-VALUE-1', keep: 'k' }, list: [{ x: { WebhookSecret: 'DEEP-VALUE-2' } }] } },
      request: { headers: { 'X-QRLOGIN-SECRET': 'DEEP-VALUE-3', 'user-agent': 'curl' } },
    });
    for (const value of ['DEEP-VALUE-1', 'DEEP-VALUE-2', 'DEEP-VALUE-3']) expect(lines[0]).not.toContain(value);
    expect(entries()[0]).toMatchObject({
      a: { b: { c: { idToken: '[redacted]', keep: 'k' }, list: [{ x: { WebhookSecret: '[redacted]' } }] } },
      request: { headers: { 'X-QRLOGIN-SECRET': '[redacted]', 'user-agent': 'curl' } },
    });
  });

  it('scrubs credential-shaped strings in the message and in values at any depth, and keeps public ids', () => {
    const { logger, lines, entries } = capture('info');
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const secret = 'vYCPE8Mm6wqWZh2c6W0tgmLEUgmACDdAJyVICZFt8CA';
    logger.warn(`refused ${jwt} and ${secret}`, {
      random: 'M-bRr-byeqitdBQrSxBNlQ',
      detail: { nested: [{ text: `Bearer ${secret}` }], url: `/x?id_token_hint=${jwt}` },
    });
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).not.toContain(jwt);
    expect(entries()[0]).toMatchObject({
      msg: 'refused [redacted] and [redacted]',
      random: 'M-bRr-byeqitdBQrSxBNlQ',
      detail: { nested: [{ text: 'Bearer [redacted]' }], url: '/x?id_token_hint=[redacted]' },
    });
  });

  it('writes an error field as {name, message} without the stack, under any name', () => {
    const { logger, lines, entries } = capture('error');
    logger.error('failed', { err: new RangeError('out of range'), error: new TypeError('bad') });
    expect(entries()[0]).toMatchObject({
      err: { name: 'RangeError', message: 'out of range' },
      error: { name: 'TypeError', message: 'bad' },
    });
    expect(lines[0]).not.toContain('stack');
    expect(lines[0]).not.toContain('.test.ts');
  });

  it('leaves the caller’s fields object as it was', () => {
    const { logger } = capture('info');
    const fields = { ticket: 't', nested: { secret: 's' }, level: 'error' };
    const snapshot = structuredClone(fields);
    logger.info('x', fields);
    expect(fields).toStrictEqual(snapshot);
  });

  it('pretty: readable text through pino-pretty, not JSON, still without credentials', () => {
    const { logger, lines } = capture('info', 'pretty');
    logger.info('qrlogin listening', { url: 'http://127.0.0.1:3000', ticket: 'PRETTY-TICKET-1' });
    logger.debug('not written');
    expect(lines).toHaveLength(1);
    const text = lines[0] ?? '';
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(text).toMatch(/INFO.*qrlogin listening/);
    expect(text).toContain('url: "http://127.0.0.1:3000"');
    expect(text).not.toContain('PRETTY-TICKET-1');
    // No colour codes in captured text.
    expect(text).not.toContain('\u001b[');
  });
});

describe('warnUnredacted (the demo secret generated at start, shown once)', () => {
  it('writes its fields as they are, at warn, in the same format; the other methods still redact', () => {
    const { logger, entries } = capture('info');
    const secret = 'vYCPE8Mm6wqWZh2c6W0tgmLEUgmACDdAJyVICZFt8CA';
    logger.warnUnredacted('app "demo" secret', { appId: 'demo', demoAppSecret: secret, level: 'info', instance: 'forged' });
    logger.warn('app "demo" secret', { appId: 'demo', demoAppSecret: secret });
    expect(entries()).toEqual([
      { time: expect.any(String), level: 'warn', instance: 'host-a:3000', msg: 'app "demo" secret', appId: 'demo', demoAppSecret: secret },
      {
        time: expect.any(String),
        level: 'warn',
        instance: 'host-a:3000',
        msg: 'app "demo" secret',
        appId: 'demo',
        demoAppSecret: '[redacted]',
      },
    ]);
  });

  it('follows the level like every line', () => {
    for (const level of ['error', 'silent'] as const) {
      const { logger, lines } = capture(level);
      logger.warnUnredacted('shown once', { value: 'x' });
      expect(lines).toEqual([]);
    }
  });
});

describe('logger hardening', () => {
  it('a caller cannot overwrite the entry’s own fields, and credential-shaped strings are scrubbed anywhere', () => {
    const { logger, lines } = capture('info');
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const secret = 'vYCPE8Mm6wqWZh2c6W0tgmLEUgmACDdAJyVICZFt8CA';
    logger.info(`message with ${secret}`, {
      level: 'error',
      msg: 'forged',
      time: 'forged',
      instance: 'forged',
      random: 'M-bRr-byeqitdBQrSxBNlQ',
      error: new Error(`jwt malformed: ${jwt}`),
      when: new Date(0),
      payload: Buffer.from('abc'),
    });
    expect(lines[0]).not.toContain('forged');
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toEqual({
      time: expect.any(String),
      level: 'info',
      instance: 'host-a:3000',
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
