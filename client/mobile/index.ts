/**
 * @module
 * The mobile SDK as an ES module (`dist/client/qrlogin-mobile.mjs`): read a QR, then
 * `scanned` → `confirm` | `cancel`. Explicit exports only.
 */
export { QrLoginMobileClient } from './mobile-client';
export type { QrLoginMobileClientOptions, RegisterInput } from './mobile-client';
export { QrLoginError } from '../common/http';
export type { FetchLike } from '../common/http';
export { QR_STATUS, QrCodeParseError, parseQrCode } from '../../shared';
export type { DecisionData, Lang, PublicUser, QrPayload, QrStatus, Requester, ScannedData, SessionData } from '../../shared';
