/**
 * @module
 * The QR login use cases: create, check, snapshot, scan, confirm, cancel (redeem is
 * ./redeem.ts). Every transition is read → a pure decision (`transition()`, number
 * matching) → a version-checked write of the result and its patch, retried on a lost race;
 * the change is written before `qr.changed` is emitted, so a lost push never loses a login (a
 * re-subscribing socket reads the stored state).
 */
import type { CheckData, DecisionData, PublicUser, ScannedData } from '../../shared/http';
import type { QrSnapshot } from '../../shared/protocol';
import { type QrAction, type QrState, effectiveStatus, transition } from '../../shared/state-machine';
import { QR_STATUS } from '../../shared/status';
import type { NewTicket } from '../backend/stores';
import type { AppConfig } from '../domain/app';
import type { Clock } from '../domain/clock';
import { decideMatch } from '../domain/number-matching';
import { type PushMessage, type QrSession, type RequesterInfo, toCheckData, toExpiredPush, toPush, toSnapshot } from '../domain/qr-session';
import { expirySettlesAt } from '../domain/qr-session';
import { newMatch, newRandom, newSecret, newTicket, secretMatches, sha256 } from '../domain/secrets';
import { AppError, refusalOf } from '../errors';
import { type AppGuard, MAX_ID_LENGTH } from './qr-guards';
import { type RedeemDeps, createRedeem } from './redeem';
import { toPublicUser } from './users';

export type { AppGuard } from './qr-guards';
export type { RedeemCredentials } from './redeem';

/** How long a record outlives its deadline, so late pollers read "expired", not "not found". */
const RETENTION_GRACE_MS = 5 * 60_000;
/** Lost races per transition are bounded by the number of transitions a QR has (3). */
const MAX_ATTEMPTS = 8;
/** QR codes one user may hold scanned and undecided at once (one per open screen, a few). */
export const MAX_PENDING_SCANS = 5;

export interface CreateInput {
  app: AppConfig;
  customData: Record<string, unknown>;
  requester: RequesterInfo;
}

const allowAll: AppGuard = () => {};

/**
 * What a phone action does to the session it read: the state machine's action, what the write
 * adds besides its fields (`patch`, `ticket`), and a refusal to answer once it is written (a
 * wrong number cancels the QR, then says so).
 */
export interface Step {
  action: QrAction;
  /** Fields besides the state machine's own (status, version, scanner id are `transition()`'s). */
  patch?: Partial<Omit<QrSession, keyof QrState>>;
  ticket?: NewTicket;
  refusal?: AppError;
}

/** What redeeming needs (stores, apps, tokens, events, where sign-ins are recorded), and more. */
export interface QrLoginDeps extends RedeemDeps {
  now: Clock;
  userPoolId: string;
}

export type QrLoginService = ReturnType<typeof createQrLoginService>;

export function createQrLoginService(deps: QrLoginDeps) {
  const { stores, apps, events, now } = deps;

  const find = async (random: string): Promise<QrSession | null> => (random.length <= MAX_ID_LENGTH ? stores.qr.get(random) : null);

  async function load(random: string): Promise<QrSession> {
    const session = await find(random);
    if (!session) throw new AppError('QR_NOT_FOUND');
    return session;
  }

  const appOf = (session: QrSession): AppConfig => {
    const app = apps.get(session.appId);
    // An app removed from the configuration takes its QR codes with it.
    if (!app) throw new AppError('QR_NOT_FOUND');
    return app;
  };

  /**
   * Applies a phone action with optimistic concurrency: `decide` plans the step from each
   * fresh read (it may refuse by throwing), the state machine checks it, and the result with
   * its patch is written only if the version has not moved; otherwise it reads and decides
   * again. A step's `refusal` comes back with the written session, for the caller to throw.
   */
  async function apply(
    random: string,
    decide: (current: QrSession, at: number, app: AppConfig) => Step,
  ): Promise<{ session: QrSession; app: AppConfig; refusal?: AppError }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await load(random);
      const app = appOf(current);
      const at = now();
      const step = decide(current, at, app);
      const result = transition(current, step.action, at);
      if (!result.ok) throw refusalOf(result);
      if (!result.changed) return { session: current, app };
      const next: QrSession = { ...result.state, ...step.patch };
      if (await stores.qr.compareAndSet(next, current.version, step.ticket)) {
        events.emit('qr.changed', { session: next, action: step.action.type, userId: step.action.userId });
        return { session: next, app, ...(step.refusal ? { refusal: step.refusal } : {}) };
      }
      // Another request changed the QR in between: read it again and re-decide.
    }
    throw new AppError('INTERNAL', { cause: new Error('transition kept losing races') });
  }

  /** Confirming `current` as `user` with the pick `matchCode` (number matching). */
  const confirmStep =
    (user: PublicUser, matchCode: string | null) =>
    (current: QrSession, at: number, app: AppConfig): Step => {
      const confirm: QrAction = { type: 'confirm', userId: user.id };
      switch (decideMatch(current.match, matchCode)) {
        case 'unanswered':
          throw new AppError('QR_INVALID_STATE', { reason: 'match_required' });
        case 'cancel': {
          // Only a pick that could have confirmed counts: a QR not scanned by this user,
          // decided or expired gets the state machine's own error and changes nothing.
          const allowed = transition(current, confirm, at);
          if (!allowed.ok) throw refusalOf(allowed);
          const match = current.match;
          return {
            action: { type: 'cancel', userId: user.id },
            ...(match ? { patch: { match: { ...match, failures: match.failures + 1 } } } : {}),
            refusal: new AppError('QR_INVALID_STATE', { reason: 'wrong_match' }),
          };
        }
        case 'confirm': {
          const { ticket, key } = newTicket(current.random);
          const ticketExpireAt = at + app.ticketTtlSeconds * 1000;
          return {
            action: confirm,
            patch: { ticket, ticketExpireAt, retainUntil: Math.max(current.retainUntil, ticketExpireAt + RETENTION_GRACE_MS) },
            ticket: {
              hash: key,
              record: {
                random: current.random,
                appId: app.id,
                userId: user.id,
                // Only the public fields, whatever else the caller's object carries.
                user: toPublicUser(user),
                secretHash: current.secretHash,
                browser: { browser: current.requester.browser, os: current.requester.os, ip: current.requester.ip },
                expireAt: ticketExpireAt,
              },
            },
          };
        }
      }
    };

  /** The push announcing a session's stored state, with the scanner where its app shows it. */
  const pushOf = (session: QrSession): PushMessage | null => toPush(session, apps.get(session.appId)?.showScannerOnWeb ?? false);

  return {
    /** The app a session belongs to (for origin checks at the edges). */
    appOf,

    async create(input: CreateInput): Promise<{ session: QrSession; secret: string }> {
      const createdAt = now();
      const expireAt = createdAt + input.app.qrTtlSeconds * 1000;
      const secret = newSecret();
      const session: QrSession = {
        random: newRandom(),
        appId: input.app.id,
        userPoolId: deps.userPoolId,
        secretHash: sha256(secret),
        status: QR_STATUS.PENDING,
        version: 0,
        createdAt,
        expireAt,
        customData: input.customData,
        requester: input.requester,
        scannedUserId: null,
        scanner: null,
        ticket: null,
        ticketExpireAt: null,
        retainUntil: expireAt + RETENTION_GRACE_MS,
        match: input.app.numberMatching ? { ...newMatch(), failures: 0 } : null,
      };
      // 128 random bits do not collide; the NX write makes that a guarantee, not a hope. When its
      // expiry settles is noted in the same round trip (Redis pipelines the two), for the sweep.
      const [created] = await Promise.all([stores.qr.create(session), stores.deadlines.add(session.random, expirySettlesAt(session))]);
      if (!created) throw new AppError('INTERNAL', { cause: new Error('random collision') });
      events.emit('qr.created', { session });
      return { session, secret };
    },

    /** Polling: the status for anyone; the ticket and the user only with the secret. */
    async check(random: string, secret: string | null, guard: AppGuard = allowAll): Promise<CheckData> {
      const session = await load(random);
      const app = appOf(session);
      guard(app);
      const proven = secretMatches(secret, session.secretHash);
      return toCheckData(session, now(), {
        entitled: proven || !app.bindTicketToBrowser,
        // The scanner's face is for the browser that asked, never for someone who saw the QR.
        showScanner: proven && app.showScannerOnWeb,
      });
    },

    /** The state a socket starts from; only the holder of the secret gets it. */
    async snapshot(random: string, secret: string, guard: AppGuard = allowAll): Promise<{ snapshot: QrSnapshot; session: QrSession }> {
      const session = await load(random);
      const app = appOf(session);
      guard(app);
      if (!secretMatches(secret, session.secretHash)) throw new AppError('SECRET_INVALID');
      return { snapshot: toSnapshot(session, now(), app.showScannerOnWeb), session };
    },

    /**
     * The push announcing a QR's stored state, for subscribers that may have missed it (pub/sub
     * was interrupted); null when the QR is unknown, pending or expired (expiry is each
     * instance's own timer).
     */
    async currentPush(random: string): Promise<PushMessage | null> {
      const session = await find(random);
      if (!session || effectiveStatus(session, now()) === QR_STATUS.EXPIRED) return null;
      return pushOf(session);
    },

    pushOf,

    /** At a QR's deadline, if it passed undecided: `push` gets its `qr:expired` (for the sockets watching it). */
    async expire(random: string, push: (message: PushMessage) => void): Promise<void> {
      const session = await find(random);
      if (session && effectiveStatus(session, now()) === QR_STATUS.EXPIRED) push(toExpiredPush(session));
    },

    /** A QR that may still be shown (for its image), or `QR_NOT_FOUND`. */
    async displayable(random: string): Promise<QrSession> {
      const session = await load(random);
      if (effectiveStatus(session, now()) === QR_STATUS.EXPIRED) throw new AppError('QR_EXPIRED');
      return session;
    },

    /** `phoneIp`: where the scan came from, compared with the browser's for `sameNetwork`. */
    async scan(random: string, user: PublicUser, phoneIp: string): Promise<ScannedData> {
      // A place among the user's pending scans is taken before the scan, in one atomic step,
      // so parallel scans cannot slip past the cap; a scan that then fails gives it back.
      const before = await load(random);
      const place = await stores.scans.reserve(user.id, random, before.expireAt, MAX_PENDING_SCANS);
      if (place === 'full') {
        throw new AppError('RATE_LIMITED', { detail: 'too many QR codes scanned and not yet confirmed or cancelled', retryAfter: 10 });
      }
      let scanned: Awaited<ReturnType<typeof apply>>;
      try {
        scanned = await apply(random, () => ({
          action: { type: 'scan', userId: user.id },
          patch: { scanner: { nickname: user.nickname, photo: user.photo } },
        }));
      } catch (error) {
        if (place === 'added') await stores.scans.remove(user.id, random).catch(() => undefined);
        throw error;
      }
      const { session, app } = scanned;
      return {
        random: session.random,
        status: session.status,
        app: { id: app.id, name: app.name },
        requester: session.requester,
        sameNetwork: sameAddress(phoneIp, session.requester.ip),
        ...(session.match ? { matchChoices: session.match.choices } : {}),
        createdAt: new Date(session.createdAt).toISOString(),
        expireAt: new Date(session.expireAt).toISOString(),
      };
    },

    /** `matchCode`: the user's pick, for apps with number matching (ignored otherwise). */
    async confirm(random: string, user: PublicUser, matchCode: string | null = null): Promise<DecisionData> {
      const { session, refusal } = await apply(random, confirmStep(user, matchCode));
      await stores.scans.remove(user.id, random);
      if (refusal) throw refusal;
      return { random: session.random, status: session.status };
    },

    async cancel(random: string, user: PublicUser): Promise<DecisionData> {
      const { session } = await apply(random, () => ({ action: { type: 'cancel', userId: user.id } }));
      await stores.scans.remove(user.id, random);
      return { random: session.random, status: session.status };
    },

    /** Exchanges a ticket for the user and a signed ID token, once (./redeem.ts). */
    redeem: createRedeem(deps),
  };
}

/** Two client addresses are the same host, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) included. */
export function sameAddress(a: string, b: string): boolean {
  const plain = (ip: string) =>
    ip
      .trim()
      .toLowerCase()
      .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return a !== '' && plain(a) === plain(b);
}
