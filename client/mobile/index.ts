/**
 * @module
 * The mobile SDK as an ES module (`dist/client/qrlogin-mobile.mjs`): read a QR, then
 * `scanned` → `confirm` | `cancel`. Explicit exports only.
 *
 * Every failure is a {@link QrLoginError} with a stable `code` ({@link QR_LOGIN_ERROR_CODES});
 * {@link isSignInRequired} tells the one that needs the user to sign in again (2020).
 *
 * @example
 * import { QrLoginMobileClient, isSignInRequired, parseQrCode } from './qrlogin-mobile.mjs';
 * const phone = new QrLoginMobileClient({ host: 'https://login.example.com', token });
 * try {
 *   await phone.scanned(parseQrCode(text).random);
 * } catch (e) {
 *   if (isSignInRequired(e)) await reauthenticate();
 * }
 */
export { QrLoginMobileClient } from './mobile-client';
export type { LoginInput, QrLoginMobileClientOptions, RegisterInput } from './mobile-client';
export { QrLoginError } from '../common/http';
export type { FetchLike } from '../common/http';
export { QR_LOGIN_ERROR_CODES, errorCode, isSignInRequired } from '../common/errors';
export { QR_STATUS, QrCodeParseError, parseQrCode } from '../../shared';
export type { DecisionData, Lang, PublicUser, QrPayload, QrStatus, Requester, ScannedData, SessionData } from '../../shared';
