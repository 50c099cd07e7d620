/**
 * @module
 * `@qrlogin/web`: `QrLoginClient` and the `<qr-login>` element, which importing this module
 * registers (once; nothing happens where there is no DOM). Explicit exports only.
 */
import { defineQrLoginElement } from './element';

export { QrLoginClient } from './qrlogin-client';
export { QR_LOGIN_TAG, QrLoginElement, defineQrLoginElement } from './element';
export type { HTMLQrLoginElement, QrLoginElementEventMap, QrLoginEventDetails } from './element';
export { QrLoginError } from '../common/http';
export type { FetchLike } from '../common/http';
export { STRINGS } from './strings';
export type { ScanTips } from './strings';
export { SCAN_STATUSES, reduceScanState } from './scan-state';
export type { IncomingState, ScanState, ScanStatus } from './scan-state';
export type { GeneCodeOptions, QrLoginClientOptions, ScanHandle, ScanResult, ScanUser, StartScanningOptions } from './types';
export { QR_STATUS, parseQrCode } from '../../shared';
export type { CheckData, GeneData, Lang, QrStatus, ScannerInfo, UserInfoData } from '../../shared';

defineQrLoginElement();
