/**
 * @module
 * The composition root: `createApp(config, deps)` wires stores, auth, services, HTTP and
 * Socket.IO onto one HTTP server and returns it without listening. No environment reads and
 * no listening here (that is server/index.ts), so tests build as many instances as they like.
 */
import type { Server as HttpServer } from 'node:http';
import express from 'express';
import type { KeySet } from './auth/keys';
import { createExternalVerifier } from './auth/external';
import { createTokenService, type TokenService } from './auth/tokens';
import { createMemoryBackend } from './backend/memory';
import type { Backend } from './backend/types';
import type { Config } from './config';
import { createOriginPolicy, logRefusedOrigins } from './edge/origin-policy';
import { accessLog } from './http/access-log';
import { corsAndJson } from './http/api-middleware';
import { apiNotFound, errorHandler } from './http/error-handler';
import { healthRoutes } from './http/health';
import { metricsRoutes } from './http/metrics-routes';
import { pageRoutes } from './http/pages';
import { demoSiteRoutes } from './http/demo-site';
import { docsRoutes } from './http/docs-routes';
import { qrImageRoute } from './http/qr-image';
import { createLane } from './http/lane';
import { qrcodeRoutes } from './http/qrcode-routes';
import { createHttpServer } from './http/server-options';
import type { TrustFunction } from './edge/request-info';
import { userRoutes } from './http/user-routes';
import { wellKnownRoutes } from './http/well-known';
import { oidcRoutes, providerSessions } from './oidc';
import { createLogger, type Logger } from './logger';
import { createExpiryScheduler } from './realtime/expiry';
import { registerHandlers } from './realtime/handlers';
import { createIo } from './realtime/io';
import { resyncLocalRooms, wirePush } from './realtime/push';
import type { QrServer } from './realtime/types';
import { createAppRegistry } from './services/apps';
import { type EventBus, createEventBus } from './services/events';
import { logDomainEvents } from './services/event-log';
import { createRateLimiter } from './ratelimit/limiter';
import { httpTiming } from './metrics/http-timing';
import { DISABLED_METRICS, createMetrics } from './metrics/registry';
import { countDomainEvents } from './metrics/wiring';
import { createQrLoginService, type QrLoginService } from './services/qr-login';
import { startExpirySweep } from './services/expiry-sweep';
import { createLogoutDelivery, type LogoutDeliveryOptions } from './services/logout-delivery';
import { createSignIns } from './services/sign-ins';
import { sessionRoutes } from './http/session-routes';
import { createUserService, type UserService } from './services/users';
import { createWebhooks, type WebhookDeliveryOptions } from './webhooks';
import type { Clock } from './domain/clock';
import type { Stores } from './backend/stores';

export interface AppDeps {
  /**
   * Where state lives and how instances reach each other. Defaults to the embedded memory
   * backend with a key generated now (server/index.ts builds the configured one). The app
   * closes it on `close()`.
   */
  backend?: Backend;
  logger?: Logger;
  now?: Clock;
  /** Attach to this server instead of creating one (it may already listen). */
  httpServer?: HttpServer;
  /** Where the built demo pages and SDK are (dist/public). */
  publicDir?: string;
  /** Back-channel logout retries (tests shorten them). @default DEFAULT_LOGOUT_DELIVERY */
  logoutDelivery?: LogoutDeliveryOptions;
  /** Webhook retries, deadlines and polling (tests shorten them). @default DEFAULT_WEBHOOK_DELIVERY */
  webhookDelivery?: WebhookDeliveryOptions;
}

export interface QrLoginApp {
  httpServer: HttpServer;
  io: QrServer;
  keys: KeySet;
  tokens: TokenService;
  events: EventBus;
  qr: QrLoginService;
  users: UserService;
  stores: Stores;
  /** Graceful stop: not ready, sockets told (they reconnect elsewhere), server closed, stores closed. */
  close(): Promise<void>;
}

export function createApp(config: Config, deps: AppDeps = {}): QrLoginApp {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const backend = deps.backend ?? createMemoryBackend(now);
  const { stores, keys } = backend;
  const events = createEventBus((error, event) => logger.error('event listener failed', { event, error }));

  const apps = createAppRegistry(config);
  const origins = createOriginPolicy(config.apps, config.publicUrl, logRefusedOrigins(logger.warn.bind(logger), now));
  const tokens = createTokenService({
    issuer: config.issuer,
    keys,
    idTokenTtlSeconds: config.idTokenTtlSeconds,
    userTokenTtlSeconds: config.userTokenTtlSeconds,
    now,
  });
  const external = config.identity.external ? createExternalVerifier(config.identity.external, { now, logger }) : null;
  const users = createUserService({
    users: stores.users,
    revoked: stores.revoked,
    tokens,
    events,
    now,
    allowRegistration: config.allowRegistration,
    builtinUsers: config.identity.builtinUsers,
    external,
  });
  const logouts = createLogoutDelivery({ tokens, apps, logger }, deps.logoutDelivery);
  const signIns = createSignIns({
    store: stores.signIns,
    apps,
    providerSessions: providerSessions(stores.oidc),
    sendLogout: logouts.send,
    logger,
    now,
    ttlSeconds: config.sessionTtlSeconds,
  });
  const qr = createQrLoginService({ stores, apps, tokens, events, now, userPoolId: config.userPoolId, signIns });
  // Its own registry: several instances in one process (tests) never count into each other.
  const metrics = config.metrics ? createMetrics(config.apps.map((app) => app.id)) : DISABLED_METRICS;
  const limiter = createRateLimiter(config.rateLimits, backend.counters, logger, now, metrics.rateLimited);

  let closing = false;
  const readiness = {
    async check() {
      if (closing) throw new Error('shutting down');
      await backend.ping();
    },
  };

  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', config.trustProxy);
  // First: one line per request once it is answered (never its query string).
  web.use(accessLog(logger));
  if (metrics.enabled) web.use(httpTiming(metrics));
  // The API first: every router a request passes costs time. (A login's own requests never
  // reach Express: the lane below answers them.)
  web.use('/api', corsAndJson(origins));
  web.use(userRoutes(users, limiter));
  web.use(sessionRoutes(users, signIns, limiter));
  web.use('/api', apiNotFound);
  if (metrics.enabled) web.use(metricsRoutes(metrics, config.metricsToken));
  web.use(wellKnownRoutes(keys));
  web.use(docsRoutes({ publicUrl: config.publicUrl, publicDir: deps.publicDir }));
  web.use(
    oidcRoutes({
      issuer: config.issuer,
      apps: config.apps,
      registry: apps,
      keys,
      stores,
      redeem: qr.redeem,
      logger,
      publicUrl: config.publicUrl,
      sessionTtlSeconds: config.sessionTtlSeconds,
      signIns,
      sendLogout: logouts.send,
      limiter,
    }),
  );
  if (config.demoPages) {
    const secureCookies = config.publicUrl.startsWith('https:');
    web.use(demoSiteRoutes({ issuer: config.issuer, keys, oidc: stores.oidc, logger, secureCookies }));
  }
  if (deps.publicDir) web.use(pageRoutes(deps.publicDir, { demo: config.demoPages }));
  web.use(errorHandler(logger));

  // Express's own compiled `trust proxy`: the lane and sockets judge X-Forwarded-For exactly
  // as Express's routes do.
  const trust = web.get('trust proxy fn') as TrustFunction;
  // A login's requests (the QR API, its image, the probes) are answered in front of Express.
  const lane = createLane(
    [
      ...qrcodeRoutes({ qr, users, apps, origins, limiter, publicUrl: config.publicUrl }),
      qrImageRoute(qr, limiter, now),
      ...healthRoutes(readiness),
    ],
    { origins, trust, logger, metrics },
    web,
  );
  const httpServer = deps.httpServer ?? createHttpServer();
  httpServer.on('request', lane);
  const io = createIo(httpServer, {
    origins,
    maxSocketsPerIp: config.maxSocketsPerIp,
    trust,
    ...(backend.adapter ? { adapter: backend.adapter } : {}),
  });
  const expiry = createExpiryScheduler(io, qr, now, logger);
  // Every QR that passes its deadline undecided is told once as qr.expired (audit, metrics).
  const expirySweep = startExpirySweep({ stores, events, now, logger });
  wirePush(io, events, qr, metrics.pushEmitted);
  countDomainEvents(events, metrics);
  metrics.readFrom({ sockets: () => io.of('/').sockets.size, ping: () => backend.ping() });
  // After the push: listeners run in order, and the browser should not wait for a log line.
  logDomainEvents(events, logger);
  // Signed webhooks, queued from the domain events in the backend's queue (shared with Redis).
  const webhooks = createWebhooks(
    {
      events,
      queue: backend.webhookQueue,
      apps,
      qr: stores.qr,
      logger,
      now,
      production: config.env === 'production',
      onDelivery: metrics.webhookDelivered,
    },
    deps.webhookDelivery,
  );
  // Pushes published while Redis pub/sub was interrupted may be lost: once it is back, tell
  // this instance's subscribers the current state of their QR codes.
  // One pass at a time: a resync asked for during a pass runs once after it.
  let resyncTimer: NodeJS.Timeout | undefined;
  let resyncing = false;
  let resyncAgain = false;
  const resync = (attempt: number) => {
    clearTimeout(resyncTimer);
    if (resyncing) {
      resyncAgain = true;
      return;
    }
    resyncing = true;
    void resyncLocalRooms(io, qr, logger)
      .catch((error: unknown) => {
        logger.warn('resync failed', { error });
        return { failed: 1 };
      })
      .then(({ failed }) => {
        resyncing = false;
        if (closing) return;
        if (resyncAgain) {
          resyncAgain = false;
          resync(0);
        } else if (failed > 0 && attempt < 10) {
          // Redis may drop again right away: try the rooms again until every one was read.
          resyncTimer = setTimeout(() => resync(attempt + 1), 500 * (attempt + 1));
        }
      });
  };
  const stopResync = backend.onResume(() => {
    logger.info('cross-instance delivery resumed, re-sending current states');
    resync(0);
    // Publishes of this instance's own transitions may have been lost too, and their
    // subscribers may sit on other instances: ask them all.
    io.serverSideEmit('qrlogin:resync');
  });
  io.on('qrlogin:resync', () => resync(0));
  io.on('connection', (socket) =>
    registerHandlers(socket, { qr, apps, origins, expiry, limiter, logger, publicUrl: config.publicUrl, trust }),
  );

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    expiry.close();
    logouts.close();
    stopResync();
    clearTimeout(resyncTimer);
    // Closing the transports (not a namespace disconnect) makes clients reconnect on their
    // own, to another instance behind the load balancer.
    const closed = io.close();
    httpServer.closeIdleConnections();
    const force = setTimeout(() => httpServer.closeAllConnections(), config.shutdownTimeoutMs);
    force.unref();
    await closed;
    clearTimeout(force);
    // Before the backend closes: held webhook jobs are given back to its queue, and a sweep
    // under way settles the deadlines it took.
    await Promise.all([webhooks.close(), expirySweep.close()]);
    external?.close();
    await backend.close();
  }

  return { httpServer, io, keys, tokens, events, qr, users, stores, close };
}
