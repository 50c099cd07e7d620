/**
 * @module
 * The Socket.IO contract (PROTOCOL §4): the only place event names are spelled.
 * Server: `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`;
 * client: `Socket<ServerToClientEvents, ClientToServerEvents>`.
 */
import type { ErrorPayload } from './errors';
import type { GeneData, ScannerInfo } from './http';
import type { QR_STATUS, QrStatus } from './status';

/** Every ack: a discriminated result; acks never throw across the wire. */
export type Ack<T> = { ok: true; data: T } | AckError;
export type AckError = { ok: false; error: ErrorPayload };
export type EmptyAck = { ok: true } | AckError;

export const EVENTS = {
  create: 'qr:create',
  subscribe: 'qr:subscribe',
  unsubscribe: 'qr:unsubscribe',
  scanned: 'qr:scanned',
  confirmed: 'qr:confirmed',
  cancelled: 'qr:cancelled',
  expired: 'qr:expired',
} as const;

export interface CreatePayload {
  appId?: string;
  customData?: Record<string, unknown>;
}

export interface SubscribePayload {
  random: string;
  secret: string;
}

export interface UnsubscribePayload {
  random: string;
}

/** The state a (re)subscribing socket starts from. */
export interface QrSnapshot {
  random: string;
  status: QrStatus;
  version: number;
  expireAt: string;
  serverNow: string;
  /** Present at status 2 only. */
  ticket?: string;
  /** What the app lets the website see of the scanner (status ≥ 1), else `{}`. */
  userInfo: ScannerInfo;
  /** Apps with number matching: the code to show next to the QR. */
  matchCode?: string;
}

export interface ScannedEvent {
  random: string;
  status: typeof QR_STATUS.SCANNED;
  version: number;
  userInfo: ScannerInfo;
}
export interface ConfirmedEvent {
  random: string;
  status: typeof QR_STATUS.CONFIRMED;
  version: number;
  ticket: string;
}
export interface CancelledEvent {
  random: string;
  status: typeof QR_STATUS.CANCELLED;
  version: number;
}
export interface ExpiredEvent {
  random: string;
  status: typeof QR_STATUS.EXPIRED;
  version: number;
}

/** Any push a subscribed socket can receive. */
export type QrPush = ScannedEvent | ConfirmedEvent | CancelledEvent | ExpiredEvent;

export interface ClientToServerEvents {
  'qr:create': (payload: CreatePayload, ack: (res: Ack<GeneData>) => void) => void;
  'qr:subscribe': (payload: SubscribePayload, ack: (res: Ack<QrSnapshot>) => void) => void;
  'qr:unsubscribe': (payload: UnsubscribePayload, ack: (res: EmptyAck) => void) => void;
}

export interface ServerToClientEvents {
  'qr:scanned': (event: ScannedEvent) => void;
  'qr:confirmed': (event: ConfirmedEvent) => void;
  'qr:cancelled': (event: CancelledEvent) => void;
  'qr:expired': (event: ExpiredEvent) => void;
}

/** Between instances (through the Redis adapter), never seen by clients. */
export interface InterServerEvents {
  /**
   * An instance whose Redis connections were interrupted may have lost publishes of its own
   * transitions: it asks every instance to re-send the stored state to its subscribers.
   */
  'qrlogin:resync': () => void;
}

export interface SocketData {
  /** The app the socket's origin was admitted for, when known. */
  origin: string | null;
}
