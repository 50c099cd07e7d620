/**
 * @module
 * The QR login service (server/services/qr-login.ts) with its real collaborators, over the
 * real memory stores (server/backend/memory) seen through `RacingQrStore`: a fake of our own
 * `QrStore` contract whose `compareAndSet` loses the next races it is told to lose. Before each
 * loss a rival request may run (another service over the same stores, as a second instance
 * would); the lost write then goes to the real store, which refuses it because the version
 * moved. Without a rival the write is simply refused. Nothing here mocks Redis or sockets.
 */
import { createKeySet, generateSigningKey } from '../../server/auth/keys';
import { createTokenService } from '../../server/auth/tokens';
import { MemoryQrStore, MemoryRevokedTokens, MemoryScanIndex, MemoryUserStore } from '../../server/backend/memory/stores';
import { MemoryQrDeadlines } from '../../server/backend/memory/qr-deadlines';
import { MemoryOidcStore } from '../../server/backend/memory/oidc-store';
import { MemorySignInStore } from '../../server/backend/memory/sign-in-store';
import type { NewTicket, QrStore, Stores, UserRecord } from '../../server/backend/stores';
import { type Config, loadConfig } from '../../server/config';
import type { AppConfig } from '../../server/domain/app';
import type { QrSession, TicketRecord } from '../../server/domain/qr-session';
import { newUserId } from '../../server/domain/secrets';
import { createAppRegistry } from '../../server/services/apps';
import { type DomainEvents, createEventBus } from '../../server/services/events';
import { type QrLoginService, createQrLoginService } from '../../server/services/qr-login';
import { createSignIns } from '../../server/services/sign-ins';
import { providerSessions } from '../../server/oidc/sessions';
import { createLogger } from '../../server/logger';
import { type MovableClock, movableClock } from './time';

/** A write the service asked for, and whether the store took it. */
export interface WriteAttempt {
  version: number;
  status: number;
  ticket: NewTicket | undefined;
  won: boolean;
}

export class RacingQrStore implements QrStore {
  /** Every compareAndSet, in order. */
  readonly attempts: WriteAttempt[] = [];
  private losses = 0;
  private rival: (() => Promise<void>) | undefined;

  constructor(private readonly inner: QrStore) {}

  /** The next `count` compareAndSet calls lose (`Infinity`: every one); `rival` runs before each. */
  loseNext(count: number, rival?: () => Promise<void>): void {
    this.losses = count;
    this.rival = rival;
  }

  /** Versions written so far (what a listener may rely on being stored). */
  get written(): number[] {
    return this.attempts.filter((attempt) => attempt.won).map((attempt) => attempt.version);
  }

  async compareAndSet(next: QrSession, expectedVersion: number, ticket?: NewTicket): Promise<boolean> {
    let won: boolean;
    if (this.losses > 0) {
      this.losses -= 1;
      if (this.rival) {
        await this.rival();
        won = await this.inner.compareAndSet(next, expectedVersion, ticket);
        if (won) throw new Error('the rival changed nothing: this race was not lost');
      } else {
        won = false;
      }
    } else {
      won = await this.inner.compareAndSet(next, expectedVersion, ticket);
    }
    this.attempts.push({ version: next.version, status: next.status, ticket, won });
    return won;
  }

  create(session: QrSession): Promise<boolean> {
    return this.inner.create(session);
  }
  get(random: string): Promise<QrSession | null> {
    return this.inner.get(random);
  }
  peekTicket(hash: string): Promise<TicketRecord | null> {
    return this.inner.peekTicket(hash);
  }
  takeTicket(hash: string): Promise<TicketRecord | null> {
    return this.inner.takeTicket(hash);
  }
}

/** A `qr.changed` as the service emitted it, with the versions the store held at that moment. */
export interface Emitted {
  event: DomainEvents['qr.changed'];
  writtenBefore: number[];
}

export interface RaceHarness {
  clock: MovableClock;
  config: Config;
  /** The stores the service under test sees (QR store: racing). */
  stores: Stores & { qr: RacingQrStore };
  /** The same state without the racing store: what the store really holds. */
  real: Stores;
  service: QrLoginService;
  /** Another request on the same state (a second instance): the rival in a race. */
  rival: QrLoginService;
  changed: Emitted[];
  demo: AppConfig;
  /** The demo app with number matching. */
  matching: AppConfig;
  user(nickname: string): Promise<UserRecord>;
}

export function raceHarness(): RaceHarness {
  const clock = movableClock(Date.UTC(2030, 0, 1));
  const parsed = loadConfig({ NODE_ENV: 'test', QRLOGIN_DEMO_APP_SECRET: 'race-harness-demo-secret-0123' }).config;
  const demo = parsed.apps[0];
  if (!demo) throw new Error('no demo app');
  const matching: AppConfig = { ...demo, id: 'matching', numberMatching: true };
  const config: Config = { ...parsed, apps: [demo, matching] };
  const real: Stores = {
    qr: new MemoryQrStore(clock.now),
    deadlines: new MemoryQrDeadlines(clock.now),
    users: new MemoryUserStore(),
    scans: new MemoryScanIndex(clock.now),
    revoked: new MemoryRevokedTokens(clock.now),
    oidc: new MemoryOidcStore(clock.now),
    signIns: new MemorySignInStore(clock.now),
    ping: async () => {},
    close: async () => {},
  };
  const stores = { ...real, qr: new RacingQrStore(real.qr) };
  const tokens = createTokenService({
    issuer: config.issuer,
    keys: createKeySet(generateSigningKey().key),
    idTokenTtlSeconds: config.idTokenTtlSeconds,
    userTokenTtlSeconds: config.userTokenTtlSeconds,
    now: clock.now,
  });
  const apps = createAppRegistry(config);
  const failListener = (error: unknown) => {
    throw error;
  };
  const events = createEventBus(failListener);
  const changed: Emitted[] = [];
  events.on('qr.changed', (event) => changed.push({ event, writtenBefore: stores.qr.written }));
  const signIns = createSignIns({
    store: real.signIns,
    apps,
    providerSessions: providerSessions(real.oidc),
    sendLogout: () => undefined,
    logger: createLogger('silent'),
    now: clock.now,
    ttlSeconds: config.sessionTtlSeconds,
  });
  const deps = { apps, tokens, now: clock.now, userPoolId: config.userPoolId, signIns };
  return {
    clock,
    config,
    stores,
    real,
    service: createQrLoginService({ ...deps, stores, events }),
    rival: createQrLoginService({ ...deps, stores: real, events: createEventBus(failListener) }),
    changed,
    demo,
    matching,
    async user(nickname) {
      const id = newUserId();
      const user: UserRecord = {
        id,
        username: `u_${id}`,
        passwordHash: 'not used here',
        nickname,
        photo: null,
        email: null,
        phone: null,
        createdAt: clock.now(),
      };
      await real.users.create(user);
      return user;
    },
  };
}
