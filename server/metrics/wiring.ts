/**
 * @module
 * Counting from the domain events: `qr.created`, `qr.changed` into a final status, and
 * `qr.expired` (told once per QR that expired undecided, by the expiry sweep of one instance:
 * server/services/expiry-sweep.ts). Registered after the push listener, so a
 * counter never sits between a stored transition and its push.
 */
import { QR_STATUS } from '../../shared/status';
import type { EventBus } from '../services/events';
import type { Metrics } from './registry';

export function countDomainEvents(events: EventBus, metrics: Metrics): () => void {
  if (!metrics.enabled) return () => {};
  const offs = [
    events.on('qr.created', ({ session }) => metrics.qrCreated(session.appId)),
    events.on('qr.changed', ({ session }) => {
      if (session.status === QR_STATUS.CONFIRMED) {
        metrics.loggedIn(session.appId);
        metrics.qrEnded('confirmed');
      } else if (session.status === QR_STATUS.CANCELLED) {
        metrics.qrEnded('cancelled');
      }
    }),
    events.on('qr.expired', () => metrics.qrEnded('expired')),
  ];
  return () => {
    for (const off of offs) off();
  };
}
