/**
 * End-user wording (issue 14 §4): the demo phone page and the web widget say sentences, in
 * en and zh-CN, for every failure they can meet — chosen by the envelope code (and, for 2243,
 * the QR's state), by the camera's DOMException, or by the form's own checks — never the
 * server's text or internals. The form's checks are the server's registration rules.
 */
import { registerBody } from '../../server/edge/validation';
import { ERRORS, type QrStateReason, errorMessage } from '../../shared/errors';
import { transition, type QrAction, type QrState } from '../../shared/state-machine';
import { QrLoginError } from '../../client/common/http';
import { PHONE_ERROR_KEYS, STATE_KEYS, cameraErrorKey, errorKey } from '../../client/demo/phone/error-text';
import { loginProblem, registerProblems, serverFieldProblems } from '../../client/demo/phone/fields';
import { PHONE_STRINGS } from '../../client/demo/phone/strings';
import { ERROR_REASONS, ERROR_REASON_KEYS, STRINGS, errorReason } from '../../client/web/strings';

const LANGS = ['en', 'zh-CN'] as const;
/** What people must never read: states, browser texts, missing values, stacks, codes. */
const INTERNAL = /state:|Requested|undefined|null|NaN|\[object|Error\b|\bat \S+ \(|\.(ts|js|mjs):\d|\b\d{3,4}\b|[{}]/;

test.each([
  ['phone strings', PHONE_STRINGS],
  ['widget strings', STRINGS],
  ['widget error reasons', ERROR_REASONS],
] as const)('%s: every key in en and zh-CN, none empty', (_name, table) => {
  const en = table.en as Readonly<Record<string, string>>;
  const zh = table['zh-CN'] as Readonly<Record<string, string>>;
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  for (const lang of LANGS) {
    for (const [key, value] of Object.entries(table[lang] as Readonly<Record<string, string>>)) {
      expect([lang, key, value.trim().length > 0]).toEqual([lang, key, true]);
    }
  }
});

test('the phone page has a sentence without internals for every code it can meet, and for every 2243 state', () => {
  const codes = [0, ...Object.values(ERRORS).map((entry) => entry.code)];
  for (const lang of LANGS) {
    const strings = PHONE_STRINGS[lang];
    for (const code of codes) {
      const error = new QrLoginError(code, `${code === 0 ? 'Network error' : 'Server text'}: Requested device not found`);
      const sentence = strings[errorKey(error)];
      expect([code, sentence]).toEqual([code, expect.not.stringMatching(INTERNAL)]);
    }
    for (const key of Object.values(STATE_KEYS)) expect(strings[key]).not.toMatch(INTERNAL);
    expect(strings[errorKey(new TypeError('x is undefined'))]).toBe(strings.unexpected);
  }
  // The codes the page is known to meet each have their own sentence.
  for (const code of [0, 400, 403, 429, 500, 503, 2020, 2026, 2027, 2028, 2241, 2242, 2243, 2333]) {
    expect(PHONE_ERROR_KEYS[code]).toBeDefined();
  }
});

test('2243 is worded by the QR’s state, in either language of the server', () => {
  const refused = (reason?: QrStateReason) => new QrLoginError(2243, errorMessage('QR_INVALID_STATE', 'zh-CN'), 200, reason);
  expect(errorKey(refused('already_cancelled'))).toBe('stateDenied');
  expect(PHONE_STRINGS.en.stateDenied).toBe('This sign-in was already denied. Scan a new code.');
  // A server too old to say why: the general sentence.
  expect(errorKey(refused())).toBe('stateChanged');
  // Every refusal the state machine can give has a sentence of its own.
  const users = ['alice', 'bob'];
  let refusals = 0;
  for (const status of [0, 1, 2, 3] as const) {
    const state: QrState = { status, version: 1, expireAt: Date.now() + 60_000, scannedUserId: status === 0 ? null : 'alice' };
    for (const type of ['scan', 'confirm', 'cancel'] as const) {
      for (const userId of users) {
        const result = transition(state, { type, userId } as QrAction, Date.now());
        if (result.ok || result.error !== 'QR_INVALID_STATE') continue;
        refusals += 1;
        expect([result.reason, errorKey(refused(result.reason))]).not.toEqual([result.reason, 'stateChanged']);
      }
    }
  }
  expect(refusals).toBeGreaterThan(3);
});

test('every way the camera can refuse has its own sentence', () => {
  const key = (name: string, secure = true) => cameraErrorKey(new DOMException('Requested device not found', name), secure);
  expect(key('NotAllowedError')).toBe('cameraRefused');
  expect(key('NotFoundError')).toBe('cameraNotFound');
  expect(key('OverconstrainedError')).toBe('cameraNotFound');
  expect(key('NotReadableError')).toBe('cameraBusy');
  expect(key('SecurityError')).toBe('cameraBlocked');
  expect(key('AbortError')).toBe('cameraFailed');
  expect(cameraErrorKey(new TypeError('getUserMedia'), false)).toBe('cameraNeedsHttps');
  expect(cameraErrorKey(new TypeError('getUserMedia'), true)).toBe('cameraFailed');
  expect(cameraErrorKey('weird', true)).toBe('cameraFailed');
  expect(PHONE_STRINGS.en.cameraNotFound).toMatch(/^No camera found on this device\./);
});

test('an empty login form is answered on the phone', () => {
  expect(loginProblem('', '')).toBe('enterCredentials');
  expect(loginProblem('me', '')).toBe('enterPassword');
  expect(loginProblem('', 'secret')).toBe('enterUsername');
  expect(loginProblem('me', 'secret')).toBeNull();
});

test('registration: every problem at once, per field, and the same verdict as the server', () => {
  expect(registerProblems({ username: 'a!', password: 'short', nickname: 'x'.repeat(65) })).toEqual({
    username: ['usernameLength', 'usernameChars'],
    password: ['passwordLength'],
    nickname: ['nicknameLength'],
  });
  expect(registerProblems({ username: '', password: '', nickname: '' })).toEqual({
    username: ['enterUsername'],
    password: ['enterPassword'],
  });
  const samples = [
    ['ab', 'correct horse'],
    ['abc', 'correct horse'],
    ['a'.repeat(64), 'x'.repeat(256)],
    ['a'.repeat(65), 'x'.repeat(8)],
    ['name with space', 'correct horse'],
    ['me@example.com', 'x'.repeat(7)],
    ['me.you_they-1', 'x'.repeat(257)],
    ['名字', 'correct horse'],
  ];
  for (const [username = '', password = ''] of samples) {
    for (const nickname of ['', 'Nick', 'n'.repeat(64), 'n'.repeat(65)]) {
      const local = Object.keys(registerProblems({ username, password, nickname })).length === 0;
      const server = registerBody.safeParse({ username, password, ...(nickname ? { nickname } : {}) }).success;
      expect([username, password, nickname.length, local]).toEqual([username, password, nickname.length, server]);
    }
  }
  // What the server still refuses lands under its field.
  expect(serverFieldProblems(new QrLoginError(400, 'Invalid request: password is too short (at least 8)'))).toEqual({
    password: ['passwordLength'],
  });
  expect(serverFieldProblems(new QrLoginError(2026, 'Username already taken'))).toEqual({ username: ['errUsernameTaken'] });
  expect(serverFieldProblems(new QrLoginError(2333, 'Wrong username or password'))).toBeNull();
});

test('the widget has a reason without internals for every code, and a fallback', () => {
  for (const lang of LANGS) {
    for (const code of [0, ...Object.values(ERRORS).map((entry) => entry.code), 9999]) {
      expect([code, errorReason(code, lang)]).toEqual([code, expect.not.stringMatching(INTERNAL)]);
    }
    expect(errorReason(9999, lang)).toBe(ERROR_REASONS[lang].unknown);
  }
  for (const code of [0, 400, 403, 429, 500, 503, 2241, 2242, 2243, 2244, 2245]) expect(ERROR_REASON_KEYS[code]).toBeDefined();
  expect(errorReason(0, 'zh-CN')).toBe(ERROR_REASONS['zh-CN'].network);
});
