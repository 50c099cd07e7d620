/**
 * @module
 * `/api/v2/qrcode/*` (PROTOCOL §3): parse, call the service, answer in the envelope.
 */
import type { Request } from 'express';
import { Router } from 'express';
import { parse as parseCookies } from 'cookie';
import { API, SECRET_COOKIE_PATH, secretCookieName } from '../../shared/http';
import { toGeneData } from '../domain/qr-session';
import type { OriginPolicy } from '../edge/origin-policy';
import type { RateLimiter } from '../ratelimit/limiter';
import type { AppRegistry } from '../services/apps';
import type { AppGuard, QrLoginService } from '../services/qr-login';
import type { UserService } from '../services/users';
import { sendOk } from './envelope';
import { appIdOf, bearerOf, originOf, requesterOf, secretHeaderOf } from '../edge/request-info';
import { confirmBody, geneBody, parse, randomBody, randomQuery, ticketBody } from '../edge/validation';

export interface QrRouteDeps {
  qr: QrLoginService;
  users: UserService;
  apps: AppRegistry;
  origins: OriginPolicy;
  limiter: RateLimiter;
  publicUrl: string;
}

/** The browser secret of QR `random`: the `x-qrlogin-secret` header, else its cookie. */
function browserSecret(req: Request, random: string): string | null {
  const fromHeader = secretHeaderOf(req.headers);
  if (fromHeader !== null) return fromHeader;
  const cookies = req.headers.cookie ? parseCookies(req.headers.cookie) : {};
  return cookies[secretCookieName(random)] ?? null;
}

export function qrcodeRoutes(deps: QrRouteDeps): Router {
  const { qr, users, apps, origins, limiter, publicUrl } = deps;
  const ip = (req: Request) => req.ip ?? '';
  const router = Router();
  const originGuard =
    (req: Request): AppGuard =>
    (app) =>
      origins.assertFor(app, originOf(req.headers));

  router.post(API.gene, async (req, res) => {
    await limiter.take('gene', ip(req));
    const body = parse(geneBody, req.body);
    const app = apps.resolve(appIdOf(req.headers) ?? body.appId);
    originGuard(req)(app);
    const { session, secret } = await qr.create({
      app,
      customData: body.customData ?? body.params ?? body.customeData ?? {},
      requester: requesterOf(req.headers, req.ip ?? ''),
    });
    // For credentialed polling clients (authing-js-sdk in a browser): they prove the secret
    // without code. HttpOnly, and scoped to the two endpoints that read it.
    res.cookie(secretCookieName(session.random), secret, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: SECRET_COOKIE_PATH,
      maxAge: session.expireAt - session.createdAt,
    });
    sendOk(res, toGeneData(session, secret, publicUrl));
  });

  router.get(API.check, async (req, res) => {
    await limiter.take('check', ip(req));
    const { random } = parse(randomQuery, req.query);
    sendOk(res, await qr.check(random, browserSecret(req, random), originGuard(req)));
  });

  router.post(API.userinfo, async (req, res) => {
    await limiter.take('userinfo', ip(req));
    const { ticket } = parse(ticketBody, req.body);
    const hasAuthorization = req.headers.authorization !== undefined;
    const { data } = await qr.redeem(ticket, {
      appSecret: hasAuthorization ? (bearerOf(req.headers) ?? '') : null,
      browserSecretFor: (random) => browserSecret(req, random),
      appId: appIdOf(req.headers),
      guard: originGuard(req),
      onRefused: () => limiter.take('ticket', ticket),
    });
    sendOk(res, data);
  });

  router.post(API.scanned, async (req, res) => {
    await limiter.take('phone', ip(req));
    const user = await users.authenticate(bearerOf(req.headers));
    await limiter.take('scanned', user.id);
    const { random } = parse(randomBody, req.body);
    sendOk(res, await qr.scan(random, user, ip(req)));
  });

  router.post(API.confirm, async (req, res) => {
    await limiter.take('phone', ip(req));
    const user = await users.authenticate(bearerOf(req.headers));
    await limiter.take('decide', user.id);
    const { random, matchCode } = parse(confirmBody, req.body);
    sendOk(res, await qr.confirm(random, user, matchCode ?? null));
  });

  router.post(API.cancel, async (req, res) => {
    await limiter.take('phone', ip(req));
    const user = await users.authenticate(bearerOf(req.headers));
    await limiter.take('decide', user.id);
    const { random } = parse(randomBody, req.body);
    sendOk(res, await qr.cancel(random, user));
  });

  return router;
}
