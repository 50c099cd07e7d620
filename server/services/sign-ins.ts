/**
 * @module
 * Signed-in browsers (PROTOCOL §7): every confirmed login a website takes — a ticket redeemed,
 * or an OpenID Connect authorization completed — is recorded with the browser that showed the
 * QR, so the phone can list them and sign any one out. The record's id is the `sid` of the ID
 * tokens issued for that login; signing out sends the app's back-channel logout endpoint a
 * logout token with it (logout-delivery.ts) and ends the OpenID Connect provider's session of
 * that browser, which ends every website it signed in to through that session.
 * A record leaves the list when the phone signs it out, when the website signs out through the
 * provider (`forgetSession`, from its end-session event), or at its end (`expireAt`, renewed by
 * each sign-in of that browser); never because a provider session was not found at the moment
 * (the provider saves a session at the end of its request, so a lookup may miss it).
 */
import type { SignedInBrowser } from '../../shared/http';
import type { SignInRecord, SignInStore } from '../backend/stores';
import type { Clock } from '../domain/clock';
import { newJti } from '../domain/secrets';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AppRegistry } from './apps';

/** At most this many signed-in browsers are kept per user; the oldest go first. */
export const MAX_SIGN_INS_PER_USER = 50;

/** A login about to be recorded: who, into which app, from which browser; its id is the `sid`. */
export type SignInDraft = Omit<SignInRecord, 'createdAt' | 'expireAt' | 'providerSession'>;

/** A provider session as sign-out needs it: its account, and the `sid` of each app it signed in to. */
export interface ProviderSession {
  accountId: string;
  /** App (client) id → that app's `sid` in this session. */
  sids: Map<string, string>;
}

/**
 * The OpenID Connect provider's sessions, as far as sign-out needs them (server/oidc/sessions.ts):
 * a browser's session holds one authorization per app it signed in to, each with its `sid`.
 */
export interface ProviderSessions {
  /** The session `uid`, or null when it is not (or no longer, or not yet) stored. */
  find(uid: string): Promise<ProviderSession | null>;
  /** Ends the session `uid`: its grants (codes, tokens) are revoked and the browser is signed out. */
  end(uid: string): Promise<void>;
}

/** Sends the logout token of one ended sign-in to its app's back-channel endpoint (retried). */
export type SendLogout = (signIn: Pick<SignInRecord, 'id' | 'userId' | 'appId'>) => void;

export interface SignInDeps {
  store: SignInStore;
  apps: AppRegistry;
  providerSessions: ProviderSessions;
  sendLogout: SendLogout;
  logger: Logger;
  now: Clock;
  /** How long a sign-in is listed: as long as the websites' sessions are expected to last. */
  ttlSeconds: number;
}

export interface SignIns {
  /** A new draft (fresh, unguessable id) for a login of `userId` into `appId` from `browser`. */
  draft(userId: string, appId: string, browser: { browser: string; os: string; ip: string }): SignInDraft;
  /**
   * Records the login (or renews the record with its id). A store failure is logged, not
   * thrown: the login itself has happened (the ticket is taken), and the user must not lose it
   * for want of a list entry.
   */
  record(draft: SignInDraft, providerSession?: string): Promise<void>;
  /** The user's signed-in browsers, newest first. */
  list(userId: string): Promise<SignedInBrowser[]>;
  /** Signs one out (and the rest of its provider session); the ids that ended. `NOT_FOUND` when none. */
  signOut(userId: string, id: string): Promise<string[]>;
  /**
   * The website signed out through the provider (which sent the logouts itself): forgets the
   * user's sign-ins of the provider session `uid` — of app `appId` only, when given.
   */
  forgetSession(userId: string, uid: string, appId?: string): Promise<void>;
}

const notFound = () => new AppError('NOT_FOUND', { detail: 'no such signed-in browser' });

export function createSignIns(deps: SignInDeps): SignIns {
  const { store, providerSessions, now, logger } = deps;

  const toWire = (record: SignInRecord): SignedInBrowser => ({
    id: record.id,
    app: { id: record.appId, name: deps.apps.get(record.appId)?.name ?? record.appId },
    browser: record.browser,
    os: record.os,
    ip: record.ip,
    createdAt: new Date(record.createdAt).toISOString(),
  });

  return {
    draft: (userId, appId, browser) => ({ id: newJti(), userId, appId, ...browser }),

    async record(draft, providerSession) {
      const createdAt = now();
      const record: SignInRecord = {
        ...draft,
        createdAt,
        expireAt: createdAt + deps.ttlSeconds * 1000,
        ...(providerSession === undefined ? {} : { providerSession }),
      };
      try {
        await store.add(record, MAX_SIGN_INS_PER_USER);
      } catch (error) {
        logger.error('sign-in not recorded: the phone will not list this browser', { appId: draft.appId, error });
      }
    },

    list: async (userId) => (await store.list(userId)).map(toWire),

    async signOut(userId, id) {
      // Of concurrent sign-outs of one browser, the one that takes its record signs it out.
      const record = await store.remove(userId, id);
      if (!record) throw notFound();
      const uid = record.providerSession;
      const session = uid === undefined ? null : await providerSessions.find(uid);
      deps.sendLogout(record);
      if (uid === undefined || session?.accountId !== userId || session.sids.get(record.appId) !== record.id) return [id];
      // The browser's provider session ends as a whole: left standing, it would sign the browser
      // straight back in to this app, without a QR. Every website of that session hears of it,
      // listed or not.
      await providerSessions.end(uid);
      const others = [...session.sids].filter(([, sid]) => sid !== id);
      await Promise.all(others.map(([, sid]) => store.remove(userId, sid)));
      for (const [appId, sid] of others) deps.sendLogout({ id: sid, userId, appId });
      return [id, ...others.map(([, sid]) => sid)];
    },

    async forgetSession(userId, uid, appId) {
      try {
        const ended = (await store.list(userId)).filter((r) => r.providerSession === uid && (appId === undefined || r.appId === appId));
        await Promise.all(ended.map((record) => store.remove(userId, record.id)));
      } catch (error) {
        logger.error('signed-out browser still listed', { appId, error });
      }
    },
  };
}
