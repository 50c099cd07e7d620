/**
 * The SDKs' shared error classification: which codes mean "try later", "the QR is gone",
 * "sign in again", and what a thrown value's code and message are.
 */
import { ERRORS } from '../../shared';
import { QrLoginError } from '../../client/common/http';
import { errorCode, isGone, isNotLoggedIn, isTransient, messageOf } from '../../client/common/errors';

test.each([
  [0, { transient: true, gone: false, notLoggedIn: false }],
  [ERRORS.RATE_LIMITED.code, { transient: true, gone: false, notLoggedIn: false }],
  [500, { transient: true, gone: false, notLoggedIn: false }],
  [503, { transient: true, gone: false, notLoggedIn: false }],
  [ERRORS.QR_NOT_FOUND.code, { transient: false, gone: true, notLoggedIn: false }],
  [ERRORS.QR_EXPIRED.code, { transient: false, gone: true, notLoggedIn: false }],
  [ERRORS.NOT_LOGGED_IN.code, { transient: false, gone: false, notLoggedIn: true }],
  [400, { transient: false, gone: false, notLoggedIn: false }],
  [403, { transient: false, gone: false, notLoggedIn: false }],
])('code %i', (code, expected) => {
  expect({ transient: isTransient(code), gone: isGone(code), notLoggedIn: isNotLoggedIn(code) }).toEqual(expected);
});

test('a QrLoginError gives its code and message; anything else is code 0', () => {
  expect(errorCode(new QrLoginError(2241, 'QR code does not exist'))).toBe(2241);
  expect(messageOf(new QrLoginError(2241, 'QR code does not exist'))).toBe('QR code does not exist');
  expect(errorCode(new TypeError('Failed to fetch'))).toBe(0);
  expect(errorCode('nope')).toBe(0);
  expect(messageOf('nope')).toBe('nope');
});
