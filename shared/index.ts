/**
 * @module
 * The shared contract of server, web SDK and mobile SDK: explicit re-exports only.
 */
export { ERRORS, ORIGIN_REFUSED_DETAIL, QR_STATE_REASONS, errorCodes, errorMessage, isQrStateReason } from './errors';
export type { ErrorCode, ErrorKey, ErrorPayload, Lang, QrStateReason } from './errors';
export { API, HEADERS, SECRET_COOKIE_PATH, secretCookieName } from './http';
export type {
  CheckData,
  DecisionData,
  Envelope,
  GeneData,
  PublicUser,
  Requester,
  ScannedData,
  ScannerInfo,
  SessionData,
  SessionsData,
  SignedInBrowser,
  SignOutData,
  UserInfoData,
} from './http';
export { EVENTS } from './protocol';
export type {
  Ack,
  AckError,
  CancelledEvent,
  ClientToServerEvents,
  ConfirmedEvent,
  CreatePayload,
  EmptyAck,
  ExpiredEvent,
  InterServerEvents,
  QrPush,
  QrSnapshot,
  ScannedEvent,
  ServerToClientEvents,
  SocketData,
  SubscribePayload,
  UnsubscribePayload,
} from './protocol';
export { QR_SCENE, QrCodeParseError, RANDOM_PATTERN, encodeQrPayload, parseQrCode } from './qr-payload';
export type { QrPayload } from './qr-payload';
export { effectiveStatus, effectiveVersion, transition } from './state-machine';
export type { QrAction, QrState, TransitionResult } from './state-machine';
export { QR_STATUS } from './status';
export type { QrStatus, StoredQrStatus } from './status';
