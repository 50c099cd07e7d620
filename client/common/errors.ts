/**
 * @module
 * How the SDKs and demo pages classify a failed call: by the {@link QrLoginError} code
 * (PROTOCOL §2), `0` standing for "no answer from the server".
 */
import { ERRORS, type ErrorKey } from '../../shared';
import { QrLoginError } from './http';

/** The envelope code of a failure, or `0` for a network failure or anything else thrown. */
export function errorCode(error: unknown): number {
  return error instanceof QrLoginError ? error.code : 0;
}

/** A failure's message, fit to show to a person. */
export function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

/** Codes that mean "try again later" (no answer, rate limited, 5xx), not "this QR is done". */
export function isTransient(code: number): boolean {
  return code === 0 || code === ERRORS.RATE_LIMITED.code || (code >= 500 && code < 600);
}

/** Codes that mean the QR no longer exists or has expired. */
export function isGone(code: number): boolean {
  return code === ERRORS.QR_NOT_FOUND.code || code === ERRORS.QR_EXPIRED.code;
}

/** The user token is missing or no longer valid (revoked, expired): the phone must sign in again. */
export function isNotLoggedIn(code: number): boolean {
  return code === ERRORS.NOT_LOGGED_IN.code;
}

/**
 * Every stable code a {@link QrLoginError} can carry, by name (PROTOCOL §2), plus
 * `NETWORK_ERROR` (`0`): the server could not be reached or did not answer with an envelope.
 *
 * @example
 * if (errorCode(e) === QR_LOGIN_ERROR_CODES.QR_EXPIRED) showNewQrHint();
 */
export const QR_LOGIN_ERROR_CODES = Object.freeze({
  ...(Object.fromEntries(Object.entries(ERRORS).map(([name, entry]) => [name, entry.code])) as CodesByName),
  NETWORK_ERROR: 0 as const,
});

/** The codes of {@link ERRORS}, by name, as literal types. */
type CodesByName = { readonly [K in ErrorKey]: (typeof ERRORS)[K]['code'] };

/**
 * `true` when `error` says the user token is missing or no longer valid (code 2020: never
 * given, revoked by a logout, expired, or signed by another deployment): the app must sign
 * the user in again and hand the new token to the client (`setToken`). Any other failure —
 * no network (code 0), 429, 503 — says nothing about the token: keep it and try later.
 *
 * @example
 * try {
 *   await phone.confirm({ random });
 * } catch (e) {
 *   if (isSignInRequired(e)) await reauthenticate();
 *   else throw e;
 * }
 */
export function isSignInRequired(error: unknown): boolean {
  return isNotLoggedIn(errorCode(error));
}
