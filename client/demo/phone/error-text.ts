/**
 * @module
 * What the demo phone page says when something failed: a sentence of `strings.ts`, chosen by
 * the envelope code of a {@link QrLoginError} (PROTOCOL §2) — and, for 2243, by its `reason`
 * (the envelope's `data.reason`, `QR_STATE_REASONS`) — or by the name of the
 * `DOMException` the camera threw. Never the server's own text, a code or a stack: people
 * read "This sign-in was already denied. Scan a new code.", not "Action not allowed in the
 * QR code's current state: already cancelled".
 */
import { QR_LOGIN_ERROR_CODES as CODES, QrLoginError, type QrStateReason } from '../../mobile/index';
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

/** 2243 ("not allowed in the QR code's current state"): what the page says for each `reason`. */
export const STATE_KEYS: Readonly<Record<QrStateReason, PhoneStringKey>> = {
  already_cancelled: 'stateDenied',
  already_confirmed: 'stateApproved',
  scanned_by_another_user: 'stateOtherUser',
  not_scanned: 'stateNotScanned',
  match_required: 'statePickNumber',
  wrong_match: 'stateWrongNumber',
};

/** The key of the sentence for a failed call. */
export function errorKey(error: unknown): PhoneStringKey {
  if (!(error instanceof QrLoginError)) return 'unexpected';
  if (error.code === CODES.QR_INVALID_STATE && error.reason) return STATE_KEYS[error.reason];
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
