/**
 * @module
 * The interaction of an authorization request (where oidc-provider sends the browser to sign
 * the user in): qrlogin's QR page, and the two calls its script makes.
 * - `GET /oidc/interaction/:uid`: the page (login-page.ts); a request that only lacks consent
 *   (the user signed in by QR earlier in this browser) is granted at once — the apps are the
 *   company's own websites, so there is no consent screen.
 * - `POST /oidc/interaction/:uid/login {ticket}`: the phone approved; the ticket of the page's QR
 *   is taken for this request (it must be the client's), and the authorization continues with
 *   the user as subject, `amr: ["qr"]`. Answers `{redirect}`.
 * - `POST /oidc/interaction/:uid/abort`: the phone denied: `access_denied` back to the client.
 * oidc-provider ties each call to the browser that started the request (its interaction
 * cookie); the calls take JSON only and refuse `Sec-Fetch-Site: cross-site`, so another site
 * cannot post a ticket of its choosing (login CSRF).
 */
import express, { type Request, type Response, Router } from 'express';
import { errors } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { securityHeaders } from '../http/pages';
import type { Logger } from '../logger';
import type { RateLimiter } from '../ratelimit/limiter';
import type { AppRegistry } from '../services/apps';
import type { Redeem } from '../services/redeem';
import type { SignInDraft, SignIns } from '../services/sign-ins';
import { requesterOf } from '../edge/request-info';
import { AppError } from '../errors';
import type { PublicUser } from '../../shared/http';
import { pageLang, renderLoginPage } from './login-page';
import { SIGN_IN_RESULT, type SignInResult } from './provider';

export interface InteractionDeps {
  provider: Provider;
  redeem: Redeem;
  apps: AppRegistry;
  logger: Logger;
  /** Keeps the user as they signed in, for the provider's userinfo and ID tokens. */
  rememberUser(user: PublicUser): Promise<void>;
  /** Drafts the signed-in browser an approval makes (recorded when the authorization completes). */
  signIns: Pick<SignIns, 'draft'>;
  /** A ticket handed in here counts as a `userinfo` exchange (per IP). */
  limiter: RateLimiter;
}

/** The interaction result's member naming the sign-in (provider.ts records it). */
const signInResult = (signIn: SignInDraft): Record<string, SignInResult> => ({ [SIGN_IN_RESULT]: { signIn } });

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** JSON from this page's own script only (same origin, when the browser says). */
function refuseForeign(req: Request, res: Response): boolean {
  const site = req.get('sec-fetch-site');
  if ((site !== undefined && site !== 'same-origin') || !req.is('application/json')) {
    res.status(403).json({ error: 'forbidden', message: 'Only the sign-in page itself may send this.' });
    return true;
  }
  return false;
}

export function interactionRoutes({ provider, redeem, apps, logger, rememberUser, signIns, limiter }: InteractionDeps): Router {
  const router = Router();
  const base = '/oidc/interaction/:uid';

  /** A grant of what the request asks (scopes), for the user: first-party apps, no consent screen. */
  async function grantFor(details: Details, accountId: string): Promise<string> {
    const clientId = String(details.params.client_id);
    const found = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    // The session's grant may be another account's (someone else signed in before on this browser).
    const existing = found && found.accountId === accountId && found.clientId === clientId ? found : undefined;
    const grant = existing ?? new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    return grant.save();
  }

  router.get(base, securityHeaders, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const clientId = String(details.params.client_id);
      const accountId = details.session?.accountId;
      if (details.prompt.name === 'consent' && accountId) {
        const grantId = await grantFor(details, accountId);
        // This browser, signed in by QR before, signs in to another app: a sign-in of its own.
        const { browser, os, ip } = requesterOf(req.headers, req.ip ?? '');
        const signIn = signIns.draft(accountId, clientId, { browser, os, ip });
        const redirect = await provider.interactionResult(
          req,
          res,
          { consent: { grantId }, ...signInResult(signIn) },
          { mergeWithLastSubmission: true },
        );
        res.redirect(303, redirect);
        return;
      }
      const lang = pageLang(details.params.ui_locales, req.get('accept-language'));
      res.set('cache-control', 'no-store');
      res.type('html').send(renderLoginPage({ uid: details.uid, appId: clientId, appName: apps.get(clientId)?.name ?? clientId, lang }));
    } catch (error) {
      if (!interactionGone(error, req, res)) next(error);
    }
  });

  router.post(`${base}/login`, express.json({ limit: '4kb' }), async (req, res, next) => {
    try {
      if (refuseForeign(req, res)) return;
      await limiter.take('userinfo', req.ip ?? '');
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== req.params.uid) throw new errors.SessionNotFound('interaction mismatch');
      const clientId = String(details.params.client_id);
      const ticket: unknown = (req.body as { ticket?: unknown } | undefined)?.ticket;
      if (typeof ticket !== 'string' || ticket.length === 0) throw new AppError('INVALID_REQUEST', { detail: 'ticket must be a string' });
      const redeemed = await redeem(ticket, {
        appSecret: null,
        browserSecretFor: () => null,
        appId: clientId,
        oidcInteraction: details.uid,
      });
      const user = redeemed.data;
      await rememberUser(user);
      const grantId = await grantFor(details, user.id);
      const redirect = await provider.interactionResult(
        req,
        res,
        // Not remembered past this browser session: QR sign-in is often on a shared computer.
        { login: { accountId: user.id, amr: ['qr'], remember: false }, consent: { grantId }, ...signInResult(redeemed.signIn) },
        { mergeWithLastSubmission: false },
      );
      logger.info('oidc sign-in approved', { clientId, userId: user.id });
      res.set('cache-control', 'no-store').json({ redirect });
    } catch (error) {
      if (!interactionGone(error, req, res)) next(error);
    }
  });

  router.post(`${base}/abort`, express.json({ limit: '1kb' }), async (req, res, next) => {
    try {
      if (refuseForeign(req, res)) return;
      const redirect = await provider.interactionResult(
        req,
        res,
        { error: 'access_denied', error_description: 'The user denied the sign-in on their phone.' },
        { mergeWithLastSubmission: false },
      );
      res.set('cache-control', 'no-store').json({ redirect });
    } catch (error) {
      if (!interactionGone(error, req, res)) next(error);
    }
  });

  return router;
}

/**
 * oidc-provider's "no such interaction" (it expired, or this browser did not start it): the
 * page says so (400) and the script's calls get `{error: "interaction_gone"}`; anything else
 * goes to the app's error handler.
 */
export function interactionGone(error: unknown, req: Request, res: Response): boolean {
  if (!(error instanceof errors.SessionNotFound)) return false;
  const lang = pageLang(undefined, req.get('accept-language'));
  const message =
    lang === 'zh-CN'
      ? '此登录页面已过期。请返回网站后重新开始。'
      : 'This sign-in page has expired. Go back to the website and start again.';
  res.status(400).set('cache-control', 'no-store');
  if (req.method === 'GET') res.type('text/plain').send(message);
  else res.json({ error: 'interaction_gone', message });
  return true;
}
