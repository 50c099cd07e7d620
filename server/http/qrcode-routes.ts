/**
 * @module
 * `/api/v2/qrcode/*` (PROTOCOL §3): parse, call the service, answer in the envelope. The
 * requests of every login, so they are served by the hot lane (./lane.ts), not by Express.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { API, type PublicUser, SECRET_COOKIE_PATH, secretCookieName } from '../../shared/http';
import { toGeneData } from '../domain/qr-session';
import type { OriginPolicy } from '../edge/origin-policy';
import type { RateLimiter } from '../ratelimit/limiter';
import type { AppRegistry } from '../services/apps';
import type { AppGuard, QrLoginService } from '../services/qr-login';
import type { UserService } from '../services/users';
import { sendOk } from './envelope';
import type { LaneRequest, LaneRoute } from './lane';
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
function browserSecret(headers: IncomingHttpHeaders, random: string): string | null {
  const fromHeader = secretHeaderOf(headers);
  if (fromHeader !== null) return fromHeader;
  const cookies = headers.cookie ? parseCookies(headers.cookie) : {};
  return cookies[secretCookieName(random)] ?? null;
}

/**
 * The browser secret's cookie, for credentialed polling clients (authing-js-sdk in a browser):
 * they prove the secret without code. HttpOnly, and scoped to the two endpoints that read it;
 * `Max-Age` and `Expires` both, as Express's `res.cookie` writes them.
 */
function setSecretCookie(res: ServerResponse, req: LaneRequest, random: string, secret: string, maxAgeMs: number): void {
  const cookie = serializeCookie(secretCookieName(random), secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: SECRET_COOKIE_PATH,
    maxAge: Math.floor(maxAgeMs / 1000),
    expires: new Date(Date.now() + maxAgeMs),
  });
  res.appendHeader('Set-Cookie', cookie);
}

export function qrcodeRoutes(deps: QrRouteDeps): LaneRoute[] {
  const { qr, users, apps, origins, limiter, publicUrl } = deps;
  const originGuard =
    (req: LaneRequest): AppGuard =>
    (app) =>
      origins.assertFor(app, originOf(req.headers));

  const gene: LaneRoute['handle'] = async (req, res) => {
    await limiter.take('gene', req.ip);
    const body = parse(geneBody, req.body);
    const app = apps.resolve(appIdOf(req.headers) ?? body.appId);
    originGuard(req)(app);
    const { session, secret } = await qr.create({
      app,
      customData: body.customData ?? body.params ?? body.customeData ?? {},
      requester: requesterOf(req.headers, req.ip),
    });
    setSecretCookie(res, req, session.random, secret, session.expireAt - session.createdAt);
    sendOk(res, toGeneData(session, secret, publicUrl));
  };

  const check: LaneRoute['handle'] = async (req, res) => {
    await limiter.take('check', req.ip);
    const { random } = parse(randomQuery, req.query);
    sendOk(res, await qr.check(random, browserSecret(req.headers, random), originGuard(req)));
  };

  const userinfo: LaneRoute['handle'] = async (req, res) => {
    await limiter.take('userinfo', req.ip);
    const { ticket } = parse(ticketBody, req.body);
    const hasAuthorization = req.headers.authorization !== undefined;
    const { data } = await qr.redeem(ticket, {
      appSecret: hasAuthorization ? (bearerOf(req.headers) ?? '') : null,
      browserSecretFor: (random) => browserSecret(req.headers, random),
      appId: appIdOf(req.headers),
      guard: originGuard(req),
      onRefused: () => limiter.take('ticket', ticket),
    });
    sendOk(res, data);
  };

  /** The phone's steps: the per-IP limit, the user token, then the per-user limit. */
  const phone =
    (rule: 'scanned' | 'decide', step: (req: LaneRequest, user: PublicUser) => Promise<unknown>): LaneRoute['handle'] =>
    async (req, res) => {
      await limiter.take('phone', req.ip);
      const user = await users.authenticate(bearerOf(req.headers));
      await limiter.take(rule, user.id);
      sendOk(res, await step(req, user));
    };

  return [
    { method: 'POST', path: API.gene, handle: gene },
    { method: 'GET', path: API.check, handle: check },
    { method: 'POST', path: API.userinfo, handle: userinfo },
    {
      method: 'POST',
      path: API.scanned,
      handle: phone('scanned', (req, user) => qr.scan(parse(randomBody, req.body).random, user, req.ip)),
    },
    {
      method: 'POST',
      path: API.confirm,
      handle: phone('decide', (req, user) => {
        const { random, matchCode } = parse(confirmBody, req.body);
        return qr.confirm(random, user, matchCode ?? null);
      }),
    },
    { method: 'POST', path: API.cancel, handle: phone('decide', (req, user) => qr.cancel(parse(randomBody, req.body).random, user)) },
  ];
}
