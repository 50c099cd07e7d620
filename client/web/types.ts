/**
 * @module
 * Public option and result types of the web SDK (names follow Authing's `startScanning`).
 */
import type { FetchLike } from '../common/http';
import type { Lang, QrStatus, ScannerInfo, UserInfoData } from '../../shared';
import type { ScanStatus } from './scan-state';
import type { ScanTips } from './strings';

/** Options of `new QrLoginClient(…)`. */
export interface QrLoginClientOptions {
  /** App id, sent as `x-authing-app-id`; the server's default app (`demo`) when omitted. */
  appId?: string;
  /** Origin of the qrlogin server; defaults to `location.origin`. */
  host?: string;
  /** Language of server messages and widget texts; default `en`. */
  lang?: Lang;
  /** A `fetch` to use instead of the page's. */
  fetch?: FetchLike;
  /**
   * `false` turns the Socket.IO connection off: the widget then only polls `check`.
   * Default `true` (push over Socket.IO, polling only while the socket is down).
   */
  realtime?: boolean;
}

/** Options of {@link QrLoginClient.geneCode}. */
export interface GeneCodeOptions {
  /** Stored with the QR and written into it (public: the phone sees it). */
  customData?: Record<string, unknown>;
}

/** What `onResult` receives for every state the widget applies. */
export interface ScanResult {
  random: string;
  /** Wire status number (`QR_STATUS`). */
  status: QrStatus;
  /** The same as the container's `data-qrlogin-status`. */
  statusName: ScanStatus;
  version: number;
  /** At status 2 only. */
  ticket: string | null;
  userInfo: ScannerInfo;
}

/** The user handed to `onSuccess`: the full user (with `token`), or `{}` without auto exchange. */
export type ScanUser = UserInfoData | Record<string, never>;

/** Options of {@link QrLoginClient.startScanning}; every callback is optional. */
export interface StartScanningOptions {
  /** A new QR cycle starts (first start, refresh, retry). */
  onStart?: () => void;
  /**
   * Each new status the widget shows, in order, once each: the value it gives the container's
   * `data-qrlogin-status` (`loading`, `pending`, `scanned`, `confirmed`, `cancelled`,
   * `expired`, `error`). `confirmed` comes before `onSuccess`.
   */
  onStatus?: (status: ScanStatus) => void;
  /** Each applied state change (see {@link ScanResult}). */
  onResult?: (result: ScanResult) => void;
  /** Scanned on a phone; `userInfo` is `{}` unless the app shows the scanner on the web. */
  onScanned?: (userInfo: ScannerInfo) => void;
  /**
   * Approved on the phone. With `autoExchangeUserInfo` (default) `user` is the full user with
   * its ID `token`; otherwise `{}` and your backend redeems `ticket`.
   */
  onSuccess?: (user: ScanUser, ticket: string) => void;
  /** Denied on the phone. */
  onCancel?: () => void;
  /** The QR expired before a decision. */
  onExpired?: () => void;
  /** Something failed after the QR was shown (e.g. the ticket exchange). */
  onError?: (message: string) => void;
  /** The QR was created (`qrcode` is the text inside it). */
  onCodeLoaded?: (random: string, url: string, qrcode: string) => void;
  /** The QR is on screen. */
  onCodeShow?: (random: string, url: string, qrcode: string) => void;
  /** The QR could not be created. */
  onCodeLoadFailed?: (message: string) => void;
  /** The user pressed the refresh / retry button. */
  onRetry?: () => void;
  /** QR width and height in CSS pixels; default 200. */
  size?: number;
  /**
   * URL of a logo shown in the middle of the QR (about a fifth of its width, on white). The QR
   * is then drawn with the highest error correction, so it still scans.
   */
  logo?: string;
  /** Polling period in ms while the socket is down; default 800. */
  interval?: number;
  /** Exchange the ticket for the user on approval; default `true`. */
  autoExchangeUserInfo?: boolean;
  /** Stored with each QR this widget creates. */
  customData?: Record<string, unknown>;
  /** Overrides of the widget's texts. */
  tips?: Partial<ScanTips>;
  /** Language of the widget's texts; default the client's. */
  lang?: Lang;
}

/** What `startScanning` returns. */
export interface ScanHandle {
  /** Closes the socket and clears every timer; the widget stays as it is. */
  stop(): void;
  /** Starts over with a new QR code. */
  refresh(): void;
}
