/**
 * @module
 * One QR cycle of a widget: create the QR, show it, follow its status feed and expiry watch
 * until a final state, and on approval exchange the ticket. Every start, refresh and retry
 * makes a new cycle and disposes of the old one as a whole: its subscription and timers go, and
 * whatever it was still waiting for is dropped by {@link ScanCycle.live}, so nothing of a
 * disposed cycle reaches the reducer or the page. The widget's socket outlives the cycles: a
 * cycle after the first creates its QR over it (`qr:create`) when it is connected, and asks
 * `gene` otherwise.
 *
 * Every report goes through the pure reducer (`scan-state.ts`); the presenter shows the
 * result.
 */
import type { CheckData, GeneData, Lang, UserInfoData } from '../../shared';
import { ERRORS, ORIGIN_REFUSED_DETAIL, QR_STATUS } from '../../shared';
import { errorCode, isGone, isTransient, messageOf } from '../common/errors';
import { ExpiryWatch } from './expiry-watch';
import type { RealtimeChannel } from './realtime';
import type { ScanPresenter } from './scan-presenter';
import {
  createdScanState,
  errorScanState,
  initialScanState,
  isFinalScanStatus,
  reduceScanState,
  type IncomingState,
  type ScanState,
} from './scan-state';
import { StatusFeed } from './status-feed';
import type { StartScanningOptions } from './types';

/** What a cycle needs of `QrLoginClient`. */
export interface ScanApi {
  readonly host: string;
  readonly lang: Lang;
  readonly realtime: boolean;
  /** The app the QR codes are for (the server's default app when absent). */
  readonly appId?: string | undefined;
  geneCode(opts?: { customData?: Record<string, unknown> }): Promise<GeneData>;
  checkStatus(random: string, secret?: string): Promise<CheckData>;
  exchangeUserInfo(ticket: string, secret?: string): Promise<UserInfoData>;
  /** Remember which secret goes with a ticket (for a later `exchangeUserInfo`). */
  rememberTicket(ticket: string, secret: string): void;
}

/** For developers (the console), never for the people at the page. */
const EXCHANGE_HINT =
  'this app does not let the browser exchange tickets (allowBrowserExchange: false); onSuccess got the ticket with an empty user: send it to your backend, which exchanges it with the app secret, and set autoExchangeUserInfo: false to skip this attempt';
const ORIGIN_HINT = (origin: string) =>
  `the qrlogin server answers, but not to this page: add ${origin} to the origins of the app in APPS_FILE (the server logs the refusal)`;

/**
 * Whether the server answers a request any page may make (`/.well-known/openid-configuration`
 * is served to every origin): after a failed API call, a yes means the failure was CORS.
 */
async function serverAnswers(host: string): Promise<boolean> {
  try {
    // A server that does not answer must not keep the widget loading: 3 s at most.
    const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(3000) : undefined;
    return (await fetch(`${host}/.well-known/openid-configuration`, { credentials: 'omit', ...(signal ? { signal } : {}) })).ok;
  } catch {
    return false;
  }
}

/** One QR, from creation to a final state. */
export class ScanCycle {
  private state: ScanState = initialScanState();
  private gene: GeneData | null = null;
  private watch: ExpiryWatch | null = null;
  private feed: StatusFeed | null = null;
  private disposed = false;

  constructor(
    private readonly api: ScanApi,
    private readonly options: StartScanningOptions,
    private readonly presenter: ScanPresenter,
    /** Polling period (ms) while the socket is down. */
    private readonly interval: number,
    /** The widget's socket; null when realtime is off. */
    private readonly channel: RealtimeChannel | null,
  ) {}

  /** Shows the loading state and creates the QR; the rest follows from the answers. */
  run(): void {
    this.presenter.loading();
    void this.load();
  }

  /** Ends the cycle for good: socket and timers closed, pending answers dropped. */
  dispose(): void {
    this.disposed = true;
    this.close();
  }

  private async load(): Promise<void> {
    const { customData } = this.options;
    let gene: GeneData;
    try {
      // Over the widget's socket when it is up (no request, no handshake), else by `gene`.
      gene =
        (await this.live(this.channel?.create(this.api.appId, customData) ?? Promise.resolve(null))) ??
        (await this.live(this.api.geneCode(customData ? { customData } : undefined)));
    } catch (error) {
      const code = errorCode(error);
      // The 403's detail (never translated) tells an origin refusal from an unknown app id.
      const refused =
        (code === ERRORS.FORBIDDEN.code && messageOf(error).endsWith(ORIGIN_REFUSED_DETAIL)) ||
        (code === 0 && (await this.live(serverAnswers(this.api.host))));
      this.state = errorScanState(this.state);
      // A 403, or "Failed to fetch" from a server that answers otherwise (CORS), means this
      // page's origin is not in the app's list. Say so, and what to change.
      if (refused) console.warn(`qrlogin: ${ORIGIN_HINT(location.origin)}`);
      this.presenter.loadFailed(error, refused ? location.origin : null);
      return;
    }
    this.gene = gene;
    this.state = createdScanState(gene.random);
    const check = () => this.live(this.api.checkStatus(gene.random, gene.secret));
    this.watch = new ExpiryWatch(check, {
      onDeadline: (deadline) => this.presenter.setDeadline(deadline),
      onCheck: (data) => this.apply(data),
      onExpired: () => this.expire(),
      onFailed: (error) => this.fail(error),
    });
    this.watch.start(gene);
    this.presenter.codeLoaded(gene);

    await this.live(this.presenter.drawCode(gene));
    // The state may have moved on while drawing (the expiry watch runs already).
    this.presenter.codeShown(gene, this.state);
    if (isFinalScanStatus(this.state.status)) return;

    const channel = this.channel;
    this.feed = new StatusFeed(
      {
        check,
        connect: channel ? (listener) => channel.subscribe(gene.random, gene.secret, listener) : null,
        intervalMs: this.interval,
      },
      {
        onState: (incoming, server) => {
          if (server) this.watch?.sync(server);
          this.apply(incoming);
        },
        onCheckFailed: (error) => this.checkFailed(error),
        onRefused: (code) => {
          if (isGone(code)) this.watch?.confirmNow();
        },
      },
    );
    this.feed.start();
  }

  /** Runs one report through the reducer and acts on a change of status. */
  private apply(incoming: IncomingState): void {
    const previous = this.state;
    const next = reduceScanState(previous, incoming);
    if (next === previous) return;
    this.state = next;
    if (next.status === previous.status) return; // a newer version of the same status
    if (next.ticket && this.gene) this.api.rememberTicket(next.ticket, this.gene.secret);
    if (isFinalScanStatus(next.status)) this.close();
    this.presenter.present(next);
    if (next.status === 'confirmed' && next.ticket) void this.succeed(next.ticket);
  }

  /** The QR is over on the server's word (or the watch's): one version past the last. */
  private expire(): void {
    this.apply({ status: QR_STATUS.EXPIRED, version: this.state.version + 1 });
  }

  /** A failed `check` of the feed: wait for the next one, expire, or fail. */
  private checkFailed(error: unknown): void {
    const code = errorCode(error);
    if (isTransient(code)) return;
    if (isGone(code)) this.expire();
    else this.fail(error);
  }

  private async succeed(ticket: string): Promise<void> {
    const gene = this.gene;
    if (this.options.autoExchangeUserInfo === false || !gene) {
      this.presenter.succeeded(ticket);
      return;
    }
    let user: UserInfoData;
    try {
      user = await this.live(this.api.exchangeUserInfo(ticket, gene.secret));
    } catch (error) {
      if (errorCode(error) === ERRORS.APP_UNAUTHORIZED.code) {
        // The app lets only its backend exchange tickets (a refused attempt does not use the
        // ticket up): hand the page the ticket, and name the setting behind it.
        console.warn(`qrlogin: ${EXCHANGE_HINT}`);
        this.presenter.succeeded(ticket);
        return;
      }
      this.fail(error);
      return;
    }
    this.presenter.succeeded(ticket, user);
  }

  /** Ends the cycle in `error` (with a retry button and the reason for its code) and tells `onError`. */
  private fail(error: unknown): void {
    this.state = errorScanState(this.state);
    this.close();
    this.presenter.failed(error);
  }

  /** The QR is done (or the cycle disposed): no socket, no timers; the page stays. */
  private close(): void {
    this.feed?.stop();
    this.feed = null;
    this.watch?.stop();
  }

  /**
   * `promise`, settled only if this cycle is still alive by then: the answers of a disposed
   * cycle never arrive (the promise stays pending and is collected with the cycle).
   */
  private live<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      promise.then(
        (value) => {
          if (!this.disposed) resolve(value);
        },
        (error: unknown) => {
          if (!this.disposed) reject(error);
        },
      );
    });
  }
}
