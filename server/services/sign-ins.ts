/**
 * @module
 * Signed-in browsers (PROTOCOL §7): every confirmed login a website takes — a ticket redeemed,
 * or an OpenID Connect authorization completed — is recorded with the browser that showed the
 * QR, so the phone can list them and sign any one out. The record's id is the `sid` of the ID
 * tokens issued for that login; signing out sends the app's back-channel logout endpoint a
 * logout token with it (logout-delivery.ts) and ends the OpenID Connect provider's session of
 * that browser, which ends every website it signed in to through that session.
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

/**
 * The OpenID Connect provider's sessions, as far as sign-out needs them (server/oidc/sessions.ts):
 * a browser's session holds one authorization per app it signed in to, each with its `sid`.
 */
export interface ProviderSessions {
  /** The `sid` of each app's authorization in the session `uid`, or null when the session ended. */
  authorizations(uid: string): Promise<Map<string, string> | null>;
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
   * Records the login. A store failure is logged, not thrown: the login itself has happened
   * (the ticket is taken), and the user must not lose it for want of a list entry.
   */
  record(draft: SignInDraft, providerSession?: string): Promise<void>;
  /** The user's signed-in browsers, newest first (sign-ins the provider ended are dropped). */
  list(userId: string): Promise<SignedInBrowser[]>;
  /** Signs one out (and the rest of its provider session); the ids that ended. `NOT_FOUND` when none. */
  signOut(userId: string, id: string): Promise<string[]>;
}

export function createSignIns(deps: SignInDeps): SignIns {
  const { store, providerSessions, now } = deps;

  /**
   * Whether a sign-in through the provider still stands: its session is there and still holds
   * this sign-in for its app (RP-initiated logout, or a newer sign-in of the same app in that
   * browser, replaces it).
   */
  const standing = (record: SignInRecord, sessions: Map<string, Map<string, string> | null>): boolean =>
    record.providerSession === undefined || sessions.get(record.providerSession)?.get(record.appId) === record.id;

  async function sessionsOf(records: readonly SignInRecord[]): Promise<Map<string, Map<string, string> | null>> {
    const uids = [...new Set(records.flatMap((record) => (record.providerSession === undefined ? [] : [record.providerSession])))];
    const found = await Promise.all(uids.map(async (uid) => [uid, await providerSessions.authorizations(uid)] as const));
    return new Map(found);
  }

  const toWire = (record: SignInRecord): SignedInBrowser => ({
    id: record.id,
    app: { id: record.appId, name: deps.apps.get(record.appId)?.name ?? record.appId },
    browser: record.browser,
    os: record.os,
    ip: record.ip,
    createdAt: new Date(record.createdAt).toISOString(),
  });

  /** Removes the sign-in and sends its logout; false when another call removed it first. */
  async function end(userId: string, id: string): Promise<boolean> {
    const removed = await store.remove(userId, id);
    if (removed) deps.sendLogout(removed);
    return removed !== null;
  }

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
        deps.logger.error('sign-in not recorded: the phone will not list this browser', { appId: draft.appId, error });
      }
    },

    async list(userId) {
      const records = await store.list(userId);
      const sessions = await sessionsOf(records);
      const [live, ended] = [records.filter((r) => standing(r, sessions)), records.filter((r) => !standing(r, sessions))];
      // The website signed out through the provider already: nothing to send, only to forget.
      await Promise.all(ended.map((record) => store.remove(userId, record.id)));
      return live.map(toWire);
    },

    async signOut(userId, id) {
      const record = await store.get(userId, id);
      if (!record) throw new AppError('NOT_FOUND', { detail: 'no such signed-in browser' });
      const uid = record.providerSession;
      const authorizations = uid === undefined ? null : await providerSessions.authorizations(uid);
      if (uid === undefined || authorizations?.get(record.appId) !== record.id) {
        if (!(await end(userId, id))) throw new AppError('NOT_FOUND', { detail: 'no such signed-in browser' });
        return [id];
      }
      // The browser's provider session ends as a whole: left standing, it would sign the browser
      // straight back in to this app, without a QR. Every website of that session hears of it.
      await providerSessions.end(uid);
      const sids = [...new Set([id, ...authorizations.values()])];
      const ended = await Promise.all(sids.map(async (sid) => ((await end(userId, sid)) ? sid : null)));
      const signedOut = ended.filter((sid): sid is string => sid !== null);
      if (!signedOut.includes(id)) throw new AppError('NOT_FOUND', { detail: 'no such signed-in browser' });
      return signedOut;
    },
  };
}
