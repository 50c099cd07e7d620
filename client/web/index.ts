/**
 * @module
 * The web SDK as an ES module (`dist/client/qrlogin.mjs`): explicit exports only.
 */
export { QrLoginClient } from './qrlogin-client';
export { QrLoginError } from '../common/http';
export type { FetchLike } from '../common/http';
export { STRINGS } from './strings';
export type { ScanTips } from './strings';
export { SCAN_STATUSES, reduceScanState } from './scan-state';
export type { IncomingState, ScanState, ScanStatus } from './scan-state';
export type { GeneCodeOptions, QrLoginClientOptions, ScanHandle, ScanResult, ScanUser, StartScanningOptions } from './types';
export { QR_STATUS, parseQrCode } from '../../shared';
export type { CheckData, GeneData, Lang, QrStatus, ScannerInfo, UserInfoData } from '../../shared';
