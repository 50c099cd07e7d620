/**
 * @module
 * The QR login state machine, pure: `transition(state, action, now)` → next state or error.
 * No I/O and no clock of its own; the stores apply its result with a version check.
 *
 * ```
 *   0 pending ──scan──▶ 1 scanned ──confirm──▶ 2 confirmed
 *       │                  │ (same user only)
 *       └──cancel──▶ 3 cancelled ◀──cancel──┘
 *   0 or 1, now ≥ expireAt ──▶ -1 expired (derived, version + 1)
 * ```
 */
import type { ErrorKey, QrStateReason } from './errors';
import { QR_STATUS, type QrStatus, type StoredQrStatus } from './status';

/** The part of a QR session the state machine reads and writes. */
export interface QrState {
  status: StoredQrStatus;
  version: number;
  /** Epoch milliseconds. */
  expireAt: number;
  /** Who scanned it; set by `scan`, and only that user may decide. */
  scannedUserId: string | null;
}

export type QrAction = { type: 'scan'; userId: string } | { type: 'confirm'; userId: string } | { type: 'cancel'; userId: string };

export type TransitionResult<S extends QrState> =
  | { ok: true; state: S; changed: boolean }
  | { ok: false; error: 'QR_EXPIRED'; reason: 'expired' }
  | { ok: false; error: Extract<ErrorKey, 'QR_INVALID_STATE'>; reason: QrStateReason };

/** The status to report: a stored 0 or 1 past `expireAt` reads as expired. */
export function effectiveStatus(state: QrState, now: number): QrStatus {
  if (isOpen(state.status) && now >= state.expireAt) return QR_STATUS.EXPIRED;
  return state.status;
}

/** The version to report: expiry is a change too, so it reads as the last version + 1. */
export function effectiveVersion(state: QrState, now: number): number {
  return effectiveStatus(state, now) === QR_STATUS.EXPIRED ? state.version + 1 : state.version;
}

function isOpen(status: QrStatus): boolean {
  return status === QR_STATUS.PENDING || status === QR_STATUS.SCANNED;
}

const refuse = (reason: QrStateReason) => ({ ok: false as const, error: 'QR_INVALID_STATE' as const, reason });

/**
 * Applies a phone action to a QR. A repeated `scan` by the user who scanned is a no-op
 * (`changed: false`); every real change bumps `version` by one.
 */
export function transition<S extends QrState>(state: S, action: QrAction, now: number): TransitionResult<S> {
  if (effectiveStatus(state, now) === QR_STATUS.EXPIRED) {
    return { ok: false, error: 'QR_EXPIRED' as const, reason: 'expired' as const };
  }
  const next = (status: StoredQrStatus, scannedUserId = state.scannedUserId) => ({
    ok: true as const,
    changed: true,
    state: { ...state, status, scannedUserId, version: state.version + 1 },
  });

  switch (state.status) {
    case QR_STATUS.PENDING:
      if (action.type === 'scan') return next(QR_STATUS.SCANNED, action.userId);
      // Denied before anyone scanned (e.g. the phone declined at once): nobody is recorded.
      if (action.type === 'cancel') return next(QR_STATUS.CANCELLED, null);
      return refuse('not_scanned');
    case QR_STATUS.SCANNED:
      if (action.userId !== state.scannedUserId) return refuse('scanned_by_another_user');
      if (action.type === 'scan') return { ok: true, changed: false, state };
      if (action.type === 'confirm') return next(QR_STATUS.CONFIRMED);
      return next(QR_STATUS.CANCELLED);
    case QR_STATUS.CONFIRMED:
      return refuse('already_confirmed');
    case QR_STATUS.CANCELLED:
      return refuse('already_cancelled');
  }
}
