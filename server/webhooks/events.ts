/**
 * @module
 * The webhook events and the jobs that carry them. An event is built field by field from the
 * domain's, so nothing else of a session (its ticket, its secret's hash, custom data) can
 * reach a receiver. A `qr.expired` is queued when the QR is created, due at its deadline, as
 * an expiry check: whichever instance claims it then reads the QR and sends the event only if
 * the QR expired undecided. (The domain's own `qr.expired` is not used: the expiry sweep that
 * tells it takes a deadline before telling it, so an instance dying in between loses it, where
 * a webhook is delivered at least once.)
 */
import type { QrSession } from '../domain/qr-session';
import type { WebhookEventType } from '../domain/webhooks';

/** What the receiver gets as the body (JSON). */
export interface WebhookEvent {
  type: WebhookEventType;
  /** When it happened (ISO 8601). */
  timestamp: string;
  data: {
    /** The QR's public id. */
    random: string;
    appId: string;
    /** The phone user, once one scanned (the ID token's `sub`). */
    userId?: string;
    /** The browser that showed the QR code, as its requester context said. */
    requester?: { ip: string; browser: string; os: string };
  };
}

/** A queued job: an event ready to send, or the check of a QR's expiry that may become one. */
export type WebhookJobData = { appId: string; type: WebhookEventType; body: string } | { appId: string; expiryOf: string };

/** The webhook type of each phone action. */
export const ACTION_EVENTS = { scan: 'qr.scanned', confirm: 'qr.confirmed', cancel: 'qr.cancelled' } as const;

/**
 * An event about a QR session, at `at` (epoch ms). `userId`: the user whose phone acted, when the
 * session does not record it (a cancel before any scan); otherwise the scanner.
 */
export function sessionEvent(type: WebhookEventType, session: QrSession, at: number, actor?: string): WebhookEvent {
  const { ip, browser, os } = session.requester;
  const userId = actor ?? session.scannedUserId;
  return {
    type,
    timestamp: new Date(at).toISOString(),
    data: {
      random: session.random,
      appId: session.appId,
      ...(userId === null ? {} : { userId }),
      requester: { ip, browser, os },
    },
  };
}

/** `ticket.redeemed`: the ticket (never itself named) was exchanged for the user. */
export function redeemedEvent(
  redeemed: { random: string; appId: string; userId: string; requester?: { ip: string; browser: string; os: string } },
  at: number,
): WebhookEvent {
  const requester = redeemed.requester;
  return {
    type: 'ticket.redeemed',
    timestamp: new Date(at).toISOString(),
    data: {
      random: redeemed.random,
      appId: redeemed.appId,
      userId: redeemed.userId,
      ...(requester ? { requester: { ip: requester.ip, browser: requester.browser, os: requester.os } } : {}),
    },
  };
}

/** A job's data read back from the queue; null when it is not one of ours. */
export function parseJobData(text: string): WebhookJobData | null {
  try {
    const value = JSON.parse(text) as Partial<{ appId: unknown; type: unknown; body: unknown; expiryOf: unknown }>;
    if (typeof value.appId !== 'string') return null;
    if (typeof value.expiryOf === 'string') return { appId: value.appId, expiryOf: value.expiryOf };
    if (typeof value.type === 'string' && typeof value.body === 'string')
      return { appId: value.appId, type: value.type as WebhookEventType, body: value.body };
    return null;
  } catch {
    return null;
  }
}
