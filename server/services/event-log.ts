/**
 * @module
 * The logger's view of the domain: one line per business event, ids only (a `random` is
 * public; secrets and tickets never appear). Login decisions are audit lines (./audit-log.ts);
 * a refused ticket exchange is a `warn` with the stable `event: "exchange.refused"`.
 */
import type { Logger } from '../logger';
import { auditLoginDecisions } from './audit-log';
import type { EventBus } from './events';

export function logDomainEvents(events: EventBus, logger: Logger): void {
  events.on('qr.created', ({ session }) => logger.info('qr created', { random: session.random, appId: session.appId }));
  auditLoginDecisions(events, logger);
  const why = {
    'app-secret': 'the Authorization header is not the app secret: check the secret your backend sends',
    'browser-exchange-off':
      'the app allows only server-side exchange (allowBrowserExchange: false): send the ticket to your backend, which exchanges it with the app secret (web SDK: autoExchangeUserInfo: false)',
    'browser-secret': 'the browser secret is missing or wrong: exchange the ticket from the browser that showed the QR code',
    'oidc-interaction': 'the OpenID Connect login page sent a ticket that is not of the QR it made for this sign-in',
  } as const;
  events.on('qr.redeem_refused', ({ random, appId, reason }) =>
    logger.warn(`ticket exchange refused: ${why[reason]}`, { event: 'exchange.refused', random, appId, reason }),
  );
  events.on('user.registered', ({ userId, username }) => logger.info('user registered', { userId, username }));
  events.on('user.login', ({ userId }) => logger.info('user logged in', { userId }));
  events.on('user.login_failed', ({ userId }) => logger.info('login failed', { userId }));
}
