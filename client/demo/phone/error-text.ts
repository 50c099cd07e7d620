/**
 * @module
 * What the demo phone page says when something failed: a sentence of `strings.ts`, chosen by
 * the envelope code of a {@link QrLoginError} (PROTOCOL §2) — and, for 2243, by the QR's
 * state that the server names in its (untranslated) detail — or by the name of the
 * `DOMException` the camera threw. Never the server's own text, a code or a stack: people
 * read "This sign-in was already denied. Scan a new code.", not "Action not allowed in the
 * QR code's current state: already cancelled".
 */
import { QR_LOGIN_ERROR_CODES as CODES, QrLoginError } from '../../mobile/index';
import type { PhoneStringKey, PhoneStrings } from './strings';

/** The sentence for each envelope code the phone page can meet; others get `unexpected`. */
export const PHONE_ERROR_KEYS: Readonly<Record<number, PhoneStringKey>> = {
  [CODES.NETWORK_ERROR]: 'network',
  [CODES.INVALID_REQUEST]: 'errInvalid',
  [CODES.FORBIDDEN]: 'errForbidden',
  [CODES.PAYLOAD_TOO_LARGE]: 'errTooLarge',
  [CODES.RATE_LIMITED]: 'errRateLimited',
  [CODES.INTERNAL]: 'errServer',
  [CODES.UNAVAILABLE]: 'errUnavailable',
  [CODES.NOT_LOGGED_IN]: 'signInAgain',
  [CODES.USER_EXISTS]: 'errUsernameTaken',
  [CODES.REGISTRATION_DISABLED]: 'errRegistrationOff',
  [CODES.BUILTIN_USERS_DISABLED]: 'errAccountsOff',
  [CODES.WRONG_CREDENTIALS]: 'errWrongCredentials',
  [CODES.QR_NOT_FOUND]: 'errQrNotFound',
  [CODES.QR_EXPIRED]: 'errQrExpired',
  [CODES.QR_INVALID_STATE]: 'stateChanged',
};

/**
 * 2243 ("not allowed in the QR code's current state"): the state the server names after the
 * colon of its message (English in every language, `shared/state-machine.ts` and the number
 * matching of `server/services/qr-login.ts`), and what the page says about it.
 */
export const STATE_KEYS: readonly (readonly [detail: string, key: PhoneStringKey])[] = [
  ['already cancelled', 'stateDenied'],
  ['already confirmed', 'stateApproved'],
  ['scanned by another user', 'stateOtherUser'],
  ['not scanned yet', 'stateNotScanned'],
  ['pick the number shown on the other screen', 'statePickNumber'],
  ['wrong number; the QR code is cancelled', 'stateWrongNumber'],
];

/** The key of the sentence for a failed call. */
export function errorKey(error: unknown): PhoneStringKey {
  if (!(error instanceof QrLoginError)) return 'unexpected';
  if (error.code === CODES.QR_INVALID_STATE) {
    const state = STATE_KEYS.find(([detail]) => error.message.endsWith(`: ${detail}`));
    if (state) return state[1];
  }
  return PHONE_ERROR_KEYS[error.code] ?? 'unexpected';
}

/** The sentence for a failed call, in the page's language. */
export function errorSentence(error: unknown, strings: PhoneStrings): string {
  return strings[errorKey(error)];
}

/**
 * The sentence for a camera that would not start: the `DOMException` names `getUserMedia`
 * and `video.play()` throw (a `TypeError` where the page is not a secure context).
 */
export function cameraErrorKey(error: unknown, secureContext: boolean): PhoneStringKey {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'cameraRefused';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'cameraNotFound';
    case 'NotReadableError':
      return 'cameraBusy';
    case 'SecurityError':
      return 'cameraBlocked';
    case 'NotSupportedError':
      return 'cameraUnsupported';
    case 'TypeError':
      return secureContext ? 'cameraFailed' : 'cameraNeedsHttps';
    default:
      return 'cameraFailed'; // AbortError and anything else
  }
}
