/**
 * @module
 * A QR login session as the stores keep it, and the projections the wire shows of it.
 */
import type { CheckData, GeneData, PublicUser, Requester, ScannerInfo } from '../../shared/http';
import { EVENTS, type QrSnapshot, type ServerToClientEvents } from '../../shared/protocol';
import { QR_SCENE, type QrPayload, encodeQrPayload } from '../../shared/qr-payload';
import { effectiveStatus, effectiveVersion, type QrState } from '../../shared/state-machine';
import { QR_STATUS } from '../../shared/status';

/**
 * How long after a QR's deadline its expiry is settled for the record (the audit line, the
 * `expired` counter, the `qr.expired` webhook). A confirm or cancel decided just before the
 * deadline is written up to one store deadline (2 s on Redis) later; judged at the deadline, such
 * a QR could be told expired and then confirmed.
 */
export const EXPIRY_SETTLE_MS = 5_000;

/** When a QR's expiry is settled for the record: {@link EXPIRY_SETTLE_MS} after its deadline. */
export const expirySettlesAt = (session: Pick<QrSession, 'expireAt'>): number => session.expireAt + EXPIRY_SETTLE_MS;

/**
 * What the record says of a QR's deadline at `at`: `expired` (settled, and it passed undecided),
 * `unsettled` (too early to tell: look again at {@link expirySettlesAt}) or `decided` (confirmed
 * or cancelled in time: nothing to tell). The expiry sweep and the `qr.expired` webhook both ask.
 */
export function expiryVerdict(session: QrState & Pick<QrSession, 'expireAt'>, at: number): 'expired' | 'unsettled' | 'decided' {
  if (at < expirySettlesAt(session)) return 'unsettled';
  return effectiveStatus(session, at) === QR_STATUS.EXPIRED ? 'expired' : 'decided';
}

/** What the browser that created the QR told us about itself, shown to the phone. */
export type RequesterInfo = Requester;

/** The scanner's public face, recorded at scan time for apps that show it on the web. */
export interface ScannerProfile {
  nickname: string;
  photo: string | null;
}

export interface QrSession extends QrState {
  random: string;
  appId: string;
  userPoolId: string;
  /** SHA-256 of the browser secret; the secret itself is never stored. */
  secretHash: string;
  /** Epoch ms. */
  createdAt: number;
  customData: Record<string, unknown>;
  requester: RequesterInfo;
  scanner: ScannerProfile | null;
  /** Set at confirmation; redeemable once, until `ticketExpireAt`. */
  ticket: string | null;
  ticketExpireAt: number | null;
  /** Epoch ms until which the store keeps the record (its TTL). */
  retainUntil: number;
  /** Number matching (apps with `numberMatching`), else null. */
  match: NumberMatch | null;
}

/**
 * The browser shows `code`; the phone offers `choices` (the code and two decoys, shuffled)
 * and `confirm` must carry the code. A wrong pick cancels the QR (`failures` records it).
 */
export interface NumberMatch {
  code: string;
  choices: string[];
  failures: number;
}

/** A ticket as redeemable: what `userinfo` needs to check and to issue the ID token. */
export interface TicketRecord {
  random: string;
  appId: string;
  userId: string;
  /**
   * The user as they were when they confirmed: what the ID token says. Kept in the ticket
   * because a user of the company's own identity provider is stored nowhere else. Absent
   * from tickets written by versions before 0.2 (then the directory is asked).
   */
  user?: PublicUser;
  /** The QR's browser-secret hash: the ticket is bound to that browser. */
  secretHash: string;
  /**
   * The browser that showed the QR, as its requester context said: what the phone's list of
   * signed-in browsers shows. Absent from tickets written before 0.3.
   */
  browser?: { browser: string; os: string; ip: string };
  /** Epoch ms. */
  expireAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The QR's text (PROTOCOL §5). */
export function qrText(session: QrSession): string {
  const payload: QrPayload = {
    scene: QR_SCENE,
    random: session.random,
    userPoolId: session.userPoolId,
    appId: session.appId,
    createdAt: iso(session.createdAt),
    expireAt: iso(session.expireAt),
    customData: session.customData,
  };
  return encodeQrPayload(payload);
}

/** What the website may see of the scanner: nothing unless the app allows it. */
export function scannerInfo(session: QrSession, showScannerOnWeb: boolean): ScannerInfo {
  if (!showScannerOnWeb || !session.scanner) return {};
  return { nickname: session.scanner.nickname, photo: session.scanner.photo };
}

/** Whether a ticket may be shown: status 2, and the secret proven (or the app is legacy). */
function visibleTicket(session: QrSession, now: number, entitled: boolean): string | null {
  if (!entitled || session.ticket === null) return null;
  return effectiveStatus(session, now) === QR_STATUS.CONFIRMED ? session.ticket : null;
}

/**
 * Data of `check`. `entitled`: the caller proved the secret, or the app does not bind tickets.
 * `showScanner`: the caller proved the secret and the app shows the scanner on the web.
 */
export function toCheckData(session: QrSession, now: number, options: { entitled: boolean; showScanner: boolean }): CheckData {
  const ticket = visibleTicket(session, now, options.entitled);
  return {
    random: session.random,
    status: effectiveStatus(session, now),
    ticket,
    userInfo: scannerInfo(session, options.showScanner),
    // The scanner's identity is revealed only with the ticket: never before confirmation.
    scannedUserId: ticket === null ? null : session.scannedUserId,
    expireAt: iso(session.expireAt),
    version: effectiveVersion(session, now),
  };
}

/** The snapshot a subscribed socket (which proved the secret) starts from. */
export function toSnapshot(session: QrSession, now: number, showScannerOnWeb: boolean): QrSnapshot {
  const ticket = visibleTicket(session, now, true);
  return {
    random: session.random,
    status: effectiveStatus(session, now),
    version: effectiveVersion(session, now),
    expireAt: iso(session.expireAt),
    serverNow: iso(now),
    ...(ticket === null ? {} : { ticket }),
    userInfo: scannerInfo(session, showScannerOnWeb),
    // Only subscribers that proved the secret get a snapshot: the code is theirs to show.
    ...(session.match ? { matchCode: session.match.code } : {}),
  };
}

/** Data of `gene` / the `qr:create` ack. `baseUrl` is the public URL the image is served from. */
export function toGeneData(session: QrSession, secret: string, baseUrl: string): GeneData {
  return {
    random: session.random,
    secret,
    url: `${baseUrl}/qr.png?random=${encodeURIComponent(session.random)}`,
    qrcode: qrText(session),
    createdAt: iso(session.createdAt),
    expireAt: iso(session.expireAt),
    expiresIn: Math.round((session.expireAt - session.createdAt) / 1000),
    ...(session.match ? { matchCode: session.match.code } : {}),
  };
}

/** A push to a QR's subscribers: the event and its payload, paired. */
export type PushMessage = {
  [E in keyof ServerToClientEvents]: { event: E; payload: Parameters<ServerToClientEvents[E]>[0] };
}[keyof ServerToClientEvents];

/**
 * The push announcing the session's stored status: `qr:scanned` (with the scanner where the
 * app shows it), `qr:confirmed` (with the ticket), `qr:cancelled`; none while pending.
 */
export function toPush(session: QrSession, showScannerOnWeb: boolean): PushMessage | null {
  const base = { random: session.random, version: session.version };
  switch (session.status) {
    case QR_STATUS.SCANNED:
      return { event: EVENTS.scanned, payload: { ...base, status: QR_STATUS.SCANNED, userInfo: scannerInfo(session, showScannerOnWeb) } };
    case QR_STATUS.CONFIRMED:
      return session.ticket === null
        ? null
        : { event: EVENTS.confirmed, payload: { ...base, status: QR_STATUS.CONFIRMED, ticket: session.ticket } };
    case QR_STATUS.CANCELLED:
      return { event: EVENTS.cancelled, payload: { ...base, status: QR_STATUS.CANCELLED } };
    case QR_STATUS.PENDING:
      return null;
  }
}

/** `qr:expired` for a session past its deadline undecided: its last version + 1. */
export function toExpiredPush(session: QrSession): PushMessage {
  return { event: EVENTS.expired, payload: { random: session.random, status: QR_STATUS.EXPIRED, version: session.version + 1 } };
}
