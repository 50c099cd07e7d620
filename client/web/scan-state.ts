/**
 * @module
 * The browser's view of one QR session as a small pure reducer: whatever reports a state
 * (socket snapshot, socket push, polling answer, local expiry timer) goes through
 * {@link reduceScanState}, which applies it or returns the state unchanged (the same object).
 *
 * Rules, in order:
 * 1. a terminal state (`confirmed`, `cancelled`, `expired`, `error`) never changes: the first
 *    terminal state wins, once;
 * 2. a report for another `random` is ignored;
 * 3. a report whose `version` is ≤ the version already applied is stale and ignored;
 * 4. an unknown status number is ignored;
 * 5. `confirmed` without a ticket is ignored (nothing could be done with it; the snapshot,
 *    push or check that carries the ticket will follow with the same version).
 */
import type { ScannerInfo } from '../../shared';
import { QR_STATUS } from '../../shared';

/** The values of the container's `data-qrlogin-status` attribute (PROTOCOL §6). */
export type ScanStatus = 'loading' | 'pending' | 'scanned' | 'confirmed' | 'cancelled' | 'expired' | 'error';

/** Every {@link ScanStatus}, in the order a session usually passes through them. */
export const SCAN_STATUSES: readonly ScanStatus[] = ['loading', 'pending', 'scanned', 'confirmed', 'cancelled', 'expired', 'error'];

/** What the widget knows of its QR session. */
export interface ScanState {
  /** The QR being watched; `null` while loading (or when it failed to load). */
  random: string | null;
  status: ScanStatus;
  /** Last applied server version; `-1` before any. */
  version: number;
  /** Set at `confirmed` only. */
  ticket: string | null;
  /** What the app lets the website see of the scanner (`{}` unless enabled). */
  userInfo: ScannerInfo;
}

/** A state report from any source: snapshot, push, check answer or local timer. */
export interface IncomingState {
  /** When present it must match the state's `random`. */
  random?: string;
  /** A wire status number (`QR_STATUS`). */
  status: number;
  version: number;
  ticket?: string | null;
  userInfo?: ScannerInfo;
}

/** Nothing yet: the QR code is being created. */
export function initialScanState(): ScanState {
  return { random: null, status: 'loading', version: -1, ticket: null, userInfo: {} };
}

/** A freshly created QR, before the server reported any version. */
export function createdScanState(random: string): ScanState {
  return { random, status: 'pending', version: -1, ticket: null, userInfo: {} };
}

/** The QR could not be loaded or the sign-in failed: terminal until a refresh. */
export function errorScanState(state: ScanState): ScanState {
  return state.status === 'error' ? state : { ...state, status: 'error', ticket: null };
}

/** The {@link ScanStatus} of a wire status number, or `null` for an unknown number. */
export function scanStatusOf(status: number): ScanStatus | null {
  switch (status) {
    case QR_STATUS.PENDING:
      return 'pending';
    case QR_STATUS.SCANNED:
      return 'scanned';
    case QR_STATUS.CONFIRMED:
      return 'confirmed';
    case QR_STATUS.CANCELLED:
      return 'cancelled';
    case QR_STATUS.EXPIRED:
      return 'expired';
    default:
      return null;
  }
}

/** `confirmed`, `cancelled`, `expired` and `error` end a session: nothing changes them. */
export function isFinalScanStatus(status: ScanStatus): boolean {
  return status === 'confirmed' || status === 'cancelled' || status === 'expired' || status === 'error';
}

/**
 * Applies one report. Returns the next state, or `state` itself (same object) when the report
 * is ignored — compare with `===` to know.
 */
export function reduceScanState(state: ScanState, incoming: IncomingState): ScanState {
  if (state.random === null || isFinalScanStatus(state.status)) return state;
  if (incoming.random !== undefined && incoming.random !== state.random) return state;
  if (!Number.isSafeInteger(incoming.version) || incoming.version <= state.version) return state;
  const status = scanStatusOf(incoming.status);
  if (status === null) return state;
  const ticket = typeof incoming.ticket === 'string' && incoming.ticket ? incoming.ticket : null;
  if (status === 'confirmed' && ticket === null) return state;
  return {
    random: state.random,
    status,
    version: incoming.version,
    ticket: status === 'confirmed' ? ticket : null,
    userInfo: incoming.userInfo ?? state.userInfo,
  };
}
