/**
 * The QR text (PROTOCOL §5, shared/qr-payload.ts): a stable JSON encoding, a strict parser,
 * and never a secret.
 */
import { QR_SCENE, QrCodeParseError, RANDOM_PATTERN, encodeQrPayload, parseQrCode, type QrPayload } from '../../shared/qr-payload';

const KEYS = ['scene', 'random', 'userPoolId', 'appId', 'createdAt', 'expireAt', 'customData'];

function payload(overrides: Partial<QrPayload> = {}): QrPayload {
  return {
    scene: QR_SCENE,
    random: 'Zx3_-kP9qLmN0aBcDeFgHi',
    userPoolId: 'qrlogin',
    appId: 'demo',
    createdAt: '2030-01-02T03:04:05.000Z',
    expireAt: '2030-01-02T03:06:05.000Z',
    customData: { from: 'web', nested: { n: 1, list: [1, 'two'] } },
    ...overrides,
  };
}

/** A valid payload object as plain JSON, with one field changed or removed. */
function textWith(changes: Record<string, unknown>, remove: string[] = []): string {
  const value: Record<string, unknown> = { ...payload(), ...changes };
  for (const name of remove) delete value[name];
  return JSON.stringify(value);
}

describe('encodeQrPayload', () => {
  it('writes the fields in the fixed order, whatever the input order', () => {
    const p = payload({ customData: {} });
    const shuffled = {
      customData: p.customData,
      expireAt: p.expireAt,
      appId: p.appId,
      random: p.random,
      createdAt: p.createdAt,
      scene: p.scene,
      userPoolId: p.userPoolId,
    } satisfies QrPayload;
    const expected =
      '{"scene":"APP_AUTH","random":"Zx3_-kP9qLmN0aBcDeFgHi","userPoolId":"qrlogin","appId":"demo",' +
      '"createdAt":"2030-01-02T03:04:05.000Z","expireAt":"2030-01-02T03:06:05.000Z","customData":{}}';
    expect(encodeQrPayload(shuffled)).toBe(expected);
    expect(encodeQrPayload(p)).toBe(expected);
    expect(Object.keys(JSON.parse(expected) as object)).toEqual(KEYS);
  });

  it('drops fields the payload type does not have (a secret cannot slip in)', () => {
    const leaky = { ...payload(), secret: 'browser-secret-value', ticket: 'tkt' };
    const text = encodeQrPayload(leaky);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(KEYS);
    expect(text).not.toContain('browser-secret-value');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('tkt');
  });
});

describe('parseQrCode', () => {
  it('round-trips an encoded payload exactly', () => {
    const p = payload();
    const parsed = parseQrCode(encodeQrPayload(p));
    expect(parsed).toStrictEqual(p);
    expect(Object.keys(parsed)).toEqual(KEYS);
  });

  it('re-encodes a parsed payload to the same text', () => {
    const text = encodeQrPayload(payload());
    expect(encodeQrPayload(parseQrCode(text))).toBe(text);
  });

  it('accepts surrounding whitespace (as a camera may decode it)', () => {
    const p = payload();
    expect(parseQrCode(`  \n${encodeQrPayload(p)}\r\n `)).toStrictEqual(p);
  });

  it('returns exactly the payload fields: extra fields such as a secret are dropped', () => {
    const parsed = parseQrCode(textWith({ secret: 's3cr3t', extra: 1, ticket: 't' }));
    expect(Object.keys(parsed)).toEqual(KEYS);
    expect(JSON.stringify(parsed)).not.toContain('s3cr3t');
  });

  it('accepts a random of 16 and of 128 URL-safe characters', () => {
    const r16 = 'A'.repeat(15) + '_';
    const r128 = '-'.repeat(127) + 'z';
    expect(parseQrCode(textWith({ random: r16 })).random).toBe(r16);
    expect(parseQrCode(textWith({ random: r128 })).random).toBe(r128);
  });

  describe('customData that is not an object becomes {}', () => {
    it.each([
      ['an array', [1, 2]],
      ['null', null],
      ['a string', '{"a":1}'],
      ['a number', 42],
      ['true', true],
    ])('%s', (_name, customData) => {
      expect(parseQrCode(textWith({ customData })).customData).toStrictEqual({});
    });

    it('missing', () => {
      expect(parseQrCode(textWith({}, ['customData'])).customData).toStrictEqual({});
    });
  });

  describe('throws QrCodeParseError for text that is not a qrlogin QR code', () => {
    const cases: Array<[string, string]> = [
      ['empty text', ''],
      ['not JSON', 'https://example.com/login?random=abc'],
      ['truncated JSON', encodeQrPayload(payload()).slice(0, -1)],
      ['a JSON array', '[]'],
      ['a JSON array holding a valid payload', `[${encodeQrPayload(payload())}]`],
      ['JSON null', 'null'],
      ['a JSON number', '42'],
      ['a JSON string', '"APP_AUTH"'],
      ['wrong scene', textWith({ scene: 'APP_LOGIN' })],
      ['lower-case scene', textWith({ scene: 'app_auth' })],
      ['missing scene', textWith({}, ['scene'])],
      ['missing random', textWith({}, ['random'])],
      ['random of 15 characters', textWith({ random: 'a'.repeat(15) })],
      ['random of 129 characters', textWith({ random: 'a'.repeat(129) })],
      ['empty random', textWith({ random: '' })],
      ['random with +', textWith({ random: 'abcdefgh+ijklmnop' })],
      ['random with /', textWith({ random: 'abcdefgh/ijklmnop' })],
      ['random with =', textWith({ random: 'abcdefghijklmnop==' })],
      ['random with a space', textWith({ random: 'abcdefgh ijklmnop' })],
      ['random with a newline', textWith({ random: 'abcdefghijklmnop\n' })],
      ['random with a non-ASCII letter', textWith({ random: 'abcdefghijklmnopé' })],
      ['numeric random', textWith({ random: 1234567890123456 })],
      ['numeric appId', textWith({ appId: 123 })],
      ['null appId', textWith({ appId: null })],
      ['missing appId', textWith({}, ['appId'])],
      ['object userPoolId', textWith({ userPoolId: { id: 'x' } })],
      ['missing userPoolId', textWith({}, ['userPoolId'])],
      ['numeric createdAt', textWith({ createdAt: 1_900_000_000_000 })],
      ['missing expireAt', textWith({}, ['expireAt'])],
    ];

    it.each(cases)('%s', (_name, text) => {
      let thrown: unknown;
      try {
        parseQrCode(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(QrCodeParseError);
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as QrCodeParseError).name).toBe('QrCodeParseError');
      expect((thrown as QrCodeParseError).message).toMatch(/^not a qrlogin QR code/);
    });

    it('names the failing field in the message', () => {
      expect(() => parseQrCode(textWith({ appId: 1 }))).toThrow('(appId)');
      expect(() => parseQrCode(textWith({ random: 'short' }))).toThrow('(random)');
      expect(() => parseQrCode(textWith({ scene: 'x' }))).toThrow('(scene)');
    });
  });

  it('RANDOM_PATTERN is anchored (no partial matches)', () => {
    expect(RANDOM_PATTERN.test('x'.repeat(16))).toBe(true);
    expect(RANDOM_PATTERN.test(`!${'x'.repeat(16)}`)).toBe(false);
    expect(RANDOM_PATTERN.test(`${'x'.repeat(16)}!`)).toBe(false);
  });
});
