/**
 * @module
 * The QR login use cases: create, check, snapshot, scan, confirm, cancel, redeem.
 * Every transition is read → pure `transition()` → version-checked write, retried on a lost
 * race; the change is written before `qr.changed` is emitted, so a lost push never loses a
 * login (a re-subscribing socket reads the stored state).
 */
import type { CheckData, DecisionData, ScannedData, UserInfoData } from '../../shared/http';
import type { QrSnapshot } from '../../shared/protocol';
import { type QrAction, effectiveStatus, transition } from '../../shared/state-machine';
import { QR_STATUS } from '../../shared/status';
import type { TokenService } from '../auth/tokens';
import type { AppConfig } from '../domain/app';
import { type QrSession, type RequesterInfo, type TicketRecord, toCheckData, toSnapshot } from '../domain/qr-session';
import { newRandom, newSecret, newTicket, secretMatches, sha256, newMatch } from '../domain/secrets';
import { AppError } from '../errors';
import type { Clock } from '../domain/clock';
import type { NewTicket, Stores, UserRecord } from '../backend/stores';
import type { AppRegistry } from './apps';
import type { EventBus } from './events';
import { toPublicUser } from './users';

/** How long a record outlives its deadline, so late pollers read "expired", not "not found". */
const RETENTION_GRACE_MS = 5 * 60_000;
/** Longer strings cannot be ours; they are answered without a store lookup. */
const MAX_ID_LENGTH = 128;
/** Lost races per transition are bounded by the number of transitions a QR has (3). */
const MAX_ATTEMPTS = 8;
/** QR codes one user may hold scanned and undecided at once (one per open screen, a few). */
export const MAX_PENDING_SCANS = 5;

export interface CreateInput {
  app: AppConfig;
  customData: Record<string, unknown>;
  requester: RequesterInfo;
}

/** Runs once the QR's app is known; throws to refuse (e.g. an origin the app does not allow). */
export type AppGuard = (app: AppConfig) => void;
const allowAll: AppGuard = () => {};

/** How a `userinfo` caller proves it may have the ticket's user. */
export interface RedeemCredentials {
  /** The `Authorization` value, when the request had one: it must be the app secret. */
  appSecret: string | null;
  /** The browser secret the caller proves for a QR (header or cookie), or null. */
  browserSecretFor(random: string): string | null;
  /** The app the caller says it is (`x-authing-app-id`), if any: must be the ticket's app. */
  appId: string | null;
  guard?: AppGuard;
  /**
   * Runs when a credential for an existing ticket is refused, before the refusal is thrown:
   * the per-ticket rate limit, which so counts wrong guesses on real tickets only (strings
   * that are no ticket cannot fill it, and the rightful holder is never refused by it).
   */
  onRefused?: () => Promise<void>;
}

export interface QrLoginDeps {
  stores: Stores;
  apps: AppRegistry;
  tokens: TokenService;
  events: EventBus;
  now: Clock;
  userPoolId: string;
}

export type QrLoginService = ReturnType<typeof createQrLoginService>;

export function createQrLoginService(deps: QrLoginDeps) {
  const { stores, apps, tokens, events, now } = deps;

  async function load(random: string): Promise<QrSession> {
    const session = random.length <= MAX_ID_LENGTH ? await stores.qr.get(random) : null;
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
   * Applies a phone action with optimistic concurrency. `decorate` adds what the action
   * writes besides the state machine's fields (the scanner's profile, the ticket).
   */
  async function apply(
    random: string,
    action: QrAction,
    decorate: (next: QrSession, at: number, app: AppConfig) => NewTicket | undefined = () => undefined,
    /** Runs on each read of the session, before the state machine; may refuse by throwing. */
    precheck: (current: QrSession) => void = () => undefined,
  ): Promise<{ session: QrSession; app: AppConfig }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await load(random);
      precheck(current);
      const app = appOf(current);
      const at = now();
      const result = transition(current, action, at);
      if (!result.ok) throw new AppError(result.error, { detail: result.reason });
      if (!result.changed) return { session: current, app };
      const next = result.state;
      const ticket = decorate(next, at, app);
      if (await stores.qr.compareAndSet(next, current.version, ticket)) {
        events.emit('qr.changed', { session: next, action: action.type });
        return { session: next, app };
      }
      // Another request changed the QR in between: read it again and re-decide.
    }
    throw new AppError('INTERNAL', { cause: new Error('transition kept losing races') });
  }

  /**
   * A wrong number cancels the QR (2243, and `qr:cancelled` to the browser): with three
   * choices, allowing more than one wrong pick would let a blind guesser always win (two wrong
   * picks leave only the right one). Actions the state machine refuses anyway (not scanned,
   * scanned by someone else, decided, expired) get their own error and change nothing.
   */
  async function refuseMismatch(random: string, user: UserRecord): Promise<never> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await load(random);
      const at = now();
      const allowed = transition(current, { type: 'confirm', userId: user.id }, at);
      if (!allowed.ok) throw new AppError(allowed.error, { detail: allowed.reason });
      const match = current.match;
      if (!match) throw new AppError('INTERNAL', { cause: new Error('no number to match') });
      const counted = { ...current, match: { ...match, failures: match.failures + 1 } };
      const cancelled = transition(counted, { type: 'cancel', userId: user.id }, at);
      if (!cancelled.ok) throw new AppError(cancelled.error, { detail: cancelled.reason });
      const next = cancelled.state;
      if (await stores.qr.compareAndSet(next, current.version)) {
        events.emit('qr.changed', { session: next, action: 'cancel' });
        await stores.scans.remove(user.id, random);
        throw new AppError('QR_INVALID_STATE', { detail: 'wrong number; the QR code is cancelled' });
      }
    }
    throw new AppError('INTERNAL', { cause: new Error('mismatch kept losing races') });
  }

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
      // 128 random bits do not collide; the NX write makes that a guarantee, not a hope.
      if (!(await stores.qr.create(session))) throw new AppError('INTERNAL', { cause: new Error('random collision') });
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
    async snapshot(
      random: string,
      secret: string,
      guard: AppGuard = allowAll,
    ): Promise<{ snapshot: QrSnapshot; session: QrSession }> {
      const session = await load(random);
      const app = appOf(session);
      guard(app);
      if (!secretMatches(secret, session.secretHash)) throw new AppError('SECRET_INVALID');
      return { snapshot: toSnapshot(session, now(), app.showScannerOnWeb), session };
    },

    /** A QR that may still be shown (for its image), or `QR_NOT_FOUND`. */
    async displayable(random: string): Promise<QrSession> {
      const session = await load(random);
      if (effectiveStatus(session, now()) === QR_STATUS.EXPIRED) throw new AppError('QR_EXPIRED');
      return session;
    },

    /** `phoneIp`: where the scan came from, compared with the browser's for `sameNetwork`. */
    async scan(random: string, user: UserRecord, phoneIp: string): Promise<ScannedData> {
      // A place among the user's pending scans is taken before the scan, in one atomic step,
      // so parallel scans cannot slip past the cap; a scan that then fails gives it back.
      const before = await load(random);
      const place = await stores.scans.reserve(user.id, random, before.expireAt, MAX_PENDING_SCANS);
      if (place === 'full') {
        throw new AppError('RATE_LIMITED', { detail: 'too many QR codes scanned and not yet confirmed or cancelled', retryAfter: 10 });
      }
      let scanned: Awaited<ReturnType<typeof apply>>;
      try {
        scanned = await apply(random, { type: 'scan', userId: user.id }, (next) => {
          next.scanner = { nickname: user.nickname, photo: user.photo };
          return undefined;
        });
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
    async confirm(random: string, user: UserRecord, matchCode: string | null = null): Promise<DecisionData> {
      // Number matching is checked on the session apply reads anyway: no extra read per confirm.
      const checkMatch = (current: QrSession) => {
        if (!current.match) return;
        // An old client that cannot show the choices: refused, not counted as a guess.
        if (matchCode === null) throw new AppError('QR_INVALID_STATE', { detail: 'pick the number shown on the other screen' });
        if (matchCode !== current.match.code) throw new NumberMismatch();
      };
      const { session } = await apply(random, { type: 'confirm', userId: user.id }, (next, at, app) => {
        const ticket = newTicket();
        const ticketExpireAt = at + app.ticketTtlSeconds * 1000;
        next.ticket = ticket;
        next.ticketExpireAt = ticketExpireAt;
        next.retainUntil = Math.max(next.retainUntil, ticketExpireAt + RETENTION_GRACE_MS);
        return {
          hash: sha256(ticket),
          record: { random, appId: app.id, userId: user.id, secretHash: next.secretHash, expireAt: ticketExpireAt },
        };
      }, checkMatch).catch((error: unknown) => (error instanceof NumberMismatch ? refuseMismatch(random, user) : Promise.reject(error)));
      await stores.scans.remove(user.id, random);
      return { random: session.random, status: session.status };
    },

    async cancel(random: string, user: UserRecord): Promise<DecisionData> {
      const { session } = await apply(random, { type: 'cancel', userId: user.id });
      await stores.scans.remove(user.id, random);
      return { random: session.random, status: session.status };
    },

    /**
     * Exchanges a ticket for the user and a signed ID token, once.
     * Every check that can fail runs before the destructive take, so a refused attempt never
     * uses up the ticket, and of concurrent valid attempts exactly one wins the take.
     */
    async redeem(ticket: string, credentials: RedeemCredentials): Promise<UserInfoData> {
      const hash = sha256(ticket);
      const record = ticket.length <= MAX_ID_LENGTH ? await stores.qr.peekTicket(hash) : null;
      if (!record) throw new AppError('TICKET_INVALID');
      const app = apps.get(record.appId);
      if (!app || (credentials.appId !== null && credentials.appId !== record.appId)) {
        throw new AppError('TICKET_INVALID');
      }
      (credentials.guard ?? allowAll)(app);

      const via = credentialOf(app, record, credentials);
      if (typeof via !== 'string') {
        await credentials.onRefused?.();
        throw via;
      }

      const taken = await stores.qr.takeTicket(hash);
      if (!taken) throw new AppError('TICKET_INVALID');
      const user = await stores.users.findById(taken.userId);
      if (!user) throw new AppError('TICKET_INVALID');
      const signed = tokens.signIdToken(user, taken.appId);
      events.emit('qr.redeemed', { random: taken.random, appId: taken.appId, userId: user.id, via });
      return {
        ...toPublicUser(user),
        token: signed.token,
        tokenExpiredAt: new Date(signed.expiresAt).toISOString(),
      };
    },
  };
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

/** Two client addresses are the same host, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) included. */
export function sameAddress(a: string, b: string): boolean {
  const plain = (ip: string) => ip.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return a !== '' && plain(a) === plain(b);
}

/** A wrong number-matching pick, turned into a cancellation by `refuseMismatch`. */
class NumberMismatch extends Error {}
