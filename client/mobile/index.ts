/**
 * @module
 * The mobile SDK, `@qrlogin/mobile` (ESM with `.d.ts`): read a QR, then
 * `scanned` → `confirm` | `cancel`. Explicit exports only.
 *
 * Objects everywhere: `scanned({ random })`, `confirm({ random, matchCode? })`,
 * `cancel({ random })`, `login({ username, password })`, `register({ username, password,
 * nickname? })`, `signOut({ id })` — so `phone.scanned(parseQrCode(text))` works as it is.
 * `sessions()` lists the browsers the user is signed in on.
 *
 * Every failure is a {@link QrLoginError} with a stable `code` ({@link QR_LOGIN_ERROR_CODES})
 * and the HTTP `status`; {@link isSignInRequired} tells the one that needs the user to sign in
 * again (2020).
 *
 * @example
 * import { QrLoginMobileClient, isSignInRequired, parseQrCode } from '@qrlogin/mobile';
 * const phone = new QrLoginMobileClient({ host: 'https://login.example.com', token });
 * try {
 *   await phone.scanned(parseQrCode(text));
 * } catch (e) {
 *   if (isSignInRequired(e)) await reauthenticate();
 * }
 */
export { QrLoginMobileClient } from './mobile-client';
export type { QrLoginMobileClientOptions } from './mobile-client';
export type { ConfirmInput, LoginInput, QrInput, RegisterInput, SignOutInput } from './arguments';
export { QrLoginError } from '../common/http';
export type { FetchLike, QrLoginErrorCode } from '../common/http';
export { QR_LOGIN_ERROR_CODES, errorCode, isSignInRequired } from '../common/errors';
export { QR_STATE_REASONS, QR_STATUS, QrCodeParseError, parseQrCode } from '../../shared';
export type {
  DecisionData,
  Lang,
  PublicUser,
  QrPayload,
  QrStateReason,
  QrStatus,
  Requester,
  ScannedData,
  SessionData,
  SignedInBrowser,
  SignOutData,
} from '../../shared';
