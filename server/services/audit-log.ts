/**
 * @module
 * The audit log: every login decision as one structured `info` line with `audit: true`, for a
 * SIEM to filter on: a QR scanned, confirmed, cancelled (a wrong number pick included) or
 * expired, and a ticket redeemed. Each names the app, the user, the QR's public `random` and
 * the browser that asked to sign in (`requester`: its IP and browser); a redemption also says
 * how (`via`). Never a secret, ticket or token: the line is built from named fields only, and
 * the logger redacts whatever else would slip in.
 *
 * ```json
 * {"level":"info","time":"…","instance":"host-a:3000","audit":true,"event":"qr.confirmed",
 *  "appId":"demo","userId":"u_…","random":"…","requester":{"ip":"203.0.113.7","browser":"Chrome 126"},
 *  "msg":"audit qr.confirmed"}
 * ```
 */
import type { QrAction } from '../../shared/state-machine';
import type { Logger } from '../logger';
import type { EventBus } from './events';

/** The decisions audited, named as the webhooks name them. */
export type AuditEvent = 'qr.scanned' | 'qr.confirmed' | 'qr.cancelled' | 'qr.expired' | 'ticket.redeemed';

const DECISION: Record<QrAction['type'], AuditEvent> = { scan: 'qr.scanned', confirm: 'qr.confirmed', cancel: 'qr.cancelled' };

export interface AuditLine {
  audit: true;
  event: AuditEvent;
  appId: string;
  /** Who decided; null for a QR that expired (or was cancelled) before anyone scanned it. */
  userId: string | null;
  random: string;
  /** The browser that showed the QR; null for tickets written before 0.3. */
  requester: { ip: string; browser: string } | null;
  via?: 'app-secret' | 'browser' | 'oidc';
}

const requesterOf = (requester: { ip: string; browser: string } | undefined) =>
  requester ? { ip: requester.ip, browser: requester.browser } : null;

/** Writes an audit line for each decision; register after the push (listeners run in order). */
export function auditLoginDecisions(events: EventBus, logger: Logger): void {
  const write = (line: AuditLine) => logger.info(`audit ${line.event}`, { ...line });
  events.on('qr.changed', ({ session, action, userId }) =>
    write({
      audit: true,
      event: DECISION[action],
      appId: session.appId,
      userId: userId ?? session.scannedUserId,
      random: session.random,
      requester: requesterOf(session.requester),
    }),
  );
  events.on('qr.expired', ({ session }) =>
    write({
      audit: true,
      event: 'qr.expired',
      appId: session.appId,
      userId: session.scannedUserId,
      random: session.random,
      requester: requesterOf(session.requester),
    }),
  );
  events.on('qr.redeemed', ({ random, appId, userId, via, requester }) =>
    write({ audit: true, event: 'ticket.redeemed', appId, userId, random, requester: requesterOf(requester), via }),
  );
}
