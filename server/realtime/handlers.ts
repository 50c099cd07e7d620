/**
 * @module
 * The client events of PROTOCOL §4 on one socket: `qr:create`, `qr:subscribe`,
 * `qr:unsubscribe`, each validated and answered through `withAck`.
 */
import { EVENTS } from '../../shared/protocol';
import { QR_STATUS } from '../../shared/status';
import { toGeneData } from '../domain/qr-session';
import { parse, createPayload, subscribePayload, unsubscribePayload } from '../edge/validation';
import type { OriginPolicy } from '../edge/origin-policy';
import { clientIp, langOf, requesterOf, type TrustFunction } from '../edge/request-info';
import type { Logger } from '../logger';
import type { RateLimiter } from '../ratelimit/limiter';
import type { AppRegistry } from '../services/apps';
import type { AppGuard, QrLoginService } from '../services/qr-login';
import type { ExpiryScheduler } from './expiry';
import { qrRoom } from './rooms';
import type { QrSocket } from './types';
import { withAck } from './with-ack';

export interface HandlerDeps {
  qr: QrLoginService;
  apps: AppRegistry;
  origins: OriginPolicy;
  expiry: ExpiryScheduler;
  limiter: RateLimiter;
  logger: Logger;
  publicUrl: string;
  trust: TrustFunction;
}

export function registerHandlers(socket: QrSocket, deps: HandlerDeps): void {
  const { qr, apps, expiry, limiter, logger, publicUrl } = deps;
  const ip = clientIp(socket.request, deps.trust);
  const lang = langOf(socket.handshake.headers);
  const guard: AppGuard = (app) => deps.origins.assertFor(app, socket.data.origin);

  socket.on(
    EVENTS.create,
    withAck(EVENTS.create, lang, logger, async (payload) => {
      await limiter.take('gene', ip);
      const body = parse(createPayload, payload);
      const app = apps.resolve(body.appId);
      guard(app);
      const { session, secret } = await qr.create({
        app,
        customData: body.customData ?? {},
        requester: requesterOf(socket.request.headers, ip),
      });
      await socket.join(qrRoom(session.random));
      expiry.watch(session.random, session.expireAt);
      return toGeneData(session, secret, publicUrl);
    }),
  );

  socket.on(
    EVENTS.subscribe,
    withAck(EVENTS.subscribe, lang, logger, async (payload) => {
      await limiter.take('subscribe', ip);
      const { random, secret } = parse(subscribePayload, payload);
      // Prove the secret before joining: the room carries the ticket.
      await qr.snapshot(random, secret, guard);
      await socket.join(qrRoom(random));
      // Read again after joining, so no change can fall between the snapshot and the room:
      // anything later arrives as a push with a higher version.
      const { snapshot, session } = await qr.snapshot(random, secret, guard);
      if (snapshot.status === QR_STATUS.PENDING || snapshot.status === QR_STATUS.SCANNED) {
        expiry.watch(random, session.expireAt);
      }
      return snapshot;
    }),
  );

  socket.on(
    EVENTS.unsubscribe,
    withAck(EVENTS.unsubscribe, lang, logger, async (payload) => {
      const { random } = parse(unsubscribePayload, payload);
      await socket.leave(qrRoom(random));
      return undefined;
    }),
  );
}
