/**
 * @module
 * How the SDKs and demo pages classify a failed call: by the {@link QrLoginError} code
 * (PROTOCOL §2), `0` standing for "no answer from the server".
 */
import { ERRORS } from '../../shared';
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
