/**
 * @module
 * `userinfo`: a ticket exchanged, once, for the user and a signed ID token. Every check that
 * can fail runs before the destructive take, so a refused attempt never uses up the ticket,
 * and of concurrent valid attempts exactly one wins the take.
 */
import type { PublicUser, UserInfoData } from '../../shared/http';
import type { TokenService } from '../auth/tokens';
import type { Stores } from '../backend/stores';
import type { AppConfig } from '../domain/app';
import type { TicketRecord } from '../domain/qr-session';
import { secretMatches, ticketKey } from '../domain/secrets';
import { AppError } from '../errors';
import type { AppRegistry } from './apps';
import type { EventBus } from './events';
import { type AppGuard, MAX_ID_LENGTH } from './qr-guards';
import type { SignInDraft, SignIns } from './sign-ins';
import { toPublicUser } from './users';

/** How a `userinfo` caller proves it may have the ticket's user. */
export interface RedeemCredentials {
  /** The `Authorization` value, when the request had one: it must be the app secret. */
  appSecret: string | null;
  /** The browser secret the caller proves for a QR (header or cookie), or null. */
  browserSecretFor(random: string): string | null;
  /** The app the caller says it is (`x-authing-app-id`), if any: must be the ticket's app. */
  appId: string | null;
  /**
   * The caller is qrlogin's own OpenID Connect login page for the authorization request whose
   * interaction id this is (of app `appId`, in the browser the provider recognised by its
   * interaction cookie): the ticket must come from a QR that page made for that very request
   * (its `customData.oidcInteraction`), whatever the app's browser-exchange settings
   * (server/oidc/interaction-routes.ts).
   */
  oidcInteraction?: string;
  guard?: AppGuard;
  /**
   * Runs when a credential for an existing ticket is refused, before the refusal is thrown:
   * the per-ticket rate limit, which so counts wrong guesses on real tickets only (strings
   * that are no ticket cannot fill it, and the rightful holder is never refused by it).
   */
  onRefused?: () => Promise<void>;
}

export interface RedeemDeps {
  stores: Stores;
  apps: AppRegistry;
  tokens: TokenService;
  events: EventBus;
  signIns: Pick<SignIns, 'draft' | 'record'>;
}

/** A redeemed ticket: what `userinfo` answers, and the sign-in it started (its id is the `sid`). */
export interface Redeemed {
  data: UserInfoData;
  signIn: SignInDraft;
}

export type Redeem = (ticket: string, credentials: RedeemCredentials) => Promise<Redeemed>;

/** Tickets written before 0.3 did not keep the browser. */
const UNKNOWN_BROWSER = { browser: 'unknown', os: 'unknown', ip: '' };

export function createRedeem({ stores, apps, tokens, events, signIns }: RedeemDeps): Redeem {
  return async (ticket, credentials) => {
    const hash = ticketKey(ticket);
    const record = ticket.length <= MAX_ID_LENGTH ? await stores.qr.peekTicket(hash) : null;
    if (!record) throw new AppError('TICKET_INVALID');
    const app = apps.get(record.appId);
    if (!app || (credentials.appId !== null && credentials.appId !== record.appId)) {
      throw new AppError('TICKET_INVALID');
    }
    credentials.guard?.(app);

    const via =
      credentials.oidcInteraction === undefined
        ? credentialOf(app, record, credentials)
        : await interactionCredential(stores, record, credentials);
    if (typeof via !== 'string') {
      events.emit('qr.redeem_refused', {
        random: record.random,
        appId: app.id,
        reason: credentials.oidcInteraction === undefined ? refusalOf(via, credentials) : 'oidc-interaction',
      });
      await credentials.onRefused?.();
      throw via;
    }

    const taken = await stores.qr.takeTicket(hash);
    if (!taken) throw new AppError('TICKET_INVALID');
    const user = taken.user ?? (await userOf(stores, taken.userId));
    if (!user) throw new AppError('TICKET_INVALID');
    const signIn = signIns.draft(user.id, taken.appId, taken.browser ?? UNKNOWN_BROWSER);
    // Through the OpenID Connect provider, the sign-in is recorded once the browser's provider
    // session is known, at the end of the authorization (server/oidc/provider.ts).
    if (via !== 'oidc') await signIns.record(signIn);
    const signed = tokens.signIdToken(user, taken.appId, signIn.id);
    events.emit('qr.redeemed', {
      random: taken.random,
      appId: taken.appId,
      userId: user.id,
      via,
      ...(taken.browser ? { requester: taken.browser } : {}),
    });
    return {
      data: { ...user, token: signed.token, tokenExpiredAt: new Date(signed.expiresAt).toISOString() },
      signIn,
    };
  };
}

/** A built-in user by id (tickets written before they carried the user). */
async function userOf(stores: Stores, id: string): Promise<PublicUser | null> {
  const record = await stores.users.findById(id);
  return record ? toPublicUser(record) : null;
}

/** Why `credentialOf` refused, for the log (which setting or secret to look at). */
function refusalOf(error: AppError, credentials: RedeemCredentials): 'app-secret' | 'browser-exchange-off' | 'browser-secret' {
  if (error.key === 'SECRET_INVALID') return 'browser-secret';
  return credentials.appSecret !== null ? 'app-secret' : 'browser-exchange-off';
}

/**
 * How a `userinfo` caller may have the ticket's user (`app-secret`: the app's backend;
 * `browser`: the browser that created the QR), or the error refusing it.
 */
function credentialOf(app: AppConfig, record: TicketRecord, credentials: RedeemCredentials): 'app-secret' | 'browser' | AppError {
  if (credentials.appSecret !== null) {
    // An Authorization header is a claim to be the app's backend: no fallback if wrong.
    return secretMatches(credentials.appSecret, app.secretHash) ? 'app-secret' : new AppError('APP_UNAUTHORIZED');
  }
  if (!app.allowBrowserExchange) return new AppError('APP_UNAUTHORIZED');
  if (app.bindTicketToBrowser && !secretMatches(credentials.browserSecretFor(record.random), record.secretHash)) {
    return new AppError('SECRET_INVALID');
  }
  return 'browser';
}

/**
 * qrlogin's OpenID Connect login page may have the ticket's user only for a ticket of its
 * client's app whose QR it made for this authorization request: a ticket seen elsewhere (a
 * spectator of another QR, another app's, another request's) signs nobody in.
 */
async function interactionCredential(stores: Stores, record: TicketRecord, credentials: RedeemCredentials): Promise<'oidc' | AppError> {
  if (credentials.appId !== record.appId) return new AppError('TICKET_INVALID');
  const session = await stores.qr.get(record.random);
  const madeFor = session?.customData.oidcInteraction;
  return typeof madeFor === 'string' && madeFor === credentials.oidcInteraction ? 'oidc' : new AppError('TICKET_INVALID');
}
