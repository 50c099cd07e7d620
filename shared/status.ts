/**
 * @module
 * QR session statuses as numbers on the wire (PROTOCOL §3), compatible with Authing's.
 */

/** Every status a QR session can be reported in. */
export const QR_STATUS = {
  /** Created, nobody has scanned it yet. */
  PENDING: 0,
  /** A logged-in phone user scanned it and has not decided yet. */
  SCANNED: 1,
  /** The scanning user approved: a ticket exists. Terminal. */
  CONFIRMED: 2,
  /** The phone user denied. Terminal. */
  CANCELLED: 3,
  /** `expireAt` passed before a decision. Terminal; never stored, always derived from the clock. */
  EXPIRED: -1,
} as const;

export type QrStatus = (typeof QR_STATUS)[keyof typeof QR_STATUS];

/** Statuses that are written to a store; `EXPIRED` is derived from `expireAt`. */
export type StoredQrStatus = Exclude<QrStatus, typeof QR_STATUS.EXPIRED>;
