/**
 * @module
 * The controller behind `startScanning`: creates a QR by REST, draws it, listens over
 * Socket.IO, polls `check` while the socket is down, confirms expiry when `expireAt` passes,
 * and on approval exchanges the ticket. Every report goes through the pure reducer
 * (`scan-state.ts`); the DOM is `widget-view.ts`'s business.
 *
 * Invariant: the container's `data-qrlogin-status` always names the current state, and is set
 * before the callback of that state runs.
 */
import type { CheckData, GeneData, Lang, QrSnapshot, QrStatus, UserInfoData } from '../../shared';
import { ERRORS, QR_STATUS } from '../../shared';
import { QrLoginError } from '../common/http';
import { RealtimeSubscription } from './realtime';
import {
  createdScanState,
  errorScanState,
  initialScanState,
  isFinalScanStatus,
  reduceScanState,
  type IncomingState,
  type ScanState,
} from './scan-state';
import { resolveStrings, type ScanTips } from './strings';
import type { ScanHandle, ScanResult, StartScanningOptions } from './types';
import { WidgetView } from './widget-view';

/** What the session needs of `QrLoginClient`. */
export interface ScanApi {
  readonly host: string;
  readonly lang: Lang;
  readonly realtime: boolean;
  geneCode(opts?: { customData?: Record<string, unknown> }): Promise<GeneData>;
  checkStatus(random: string, secret?: string): Promise<CheckData>;
  exchangeUserInfo(ticket: string, secret?: string): Promise<UserInfoData>;
  /** Remember which secret goes with a ticket (for a later `exchangeUserInfo`). */
  rememberTicket(ticket: string, secret: string): void;
}

/** Before the socket has subscribed once, start polling after this long anyway. */
const SOCKET_GRACE_MS = 3000;
/** After `expireAt`, wait this much for clocks to agree before asking `check`. */
const EXPIRY_MARGIN_MS = 250;
/** If `check` still says "open" past our deadline, ask again this many times, then expire. */
const EXPIRY_RECHECKS = 5;
/** `setTimeout` cannot wait longer than this. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Codes that mean "try again later", not "this QR is done". */
function isTransient(code: number): boolean {
  return code === 0 || code === ERRORS.RATE_LIMITED.code || (code >= 500 && code < 600);
}

/** Codes that mean the QR no longer exists or has expired. */
function isGone(code: number): boolean {
  return code === ERRORS.QR_NOT_FOUND.code || code === ERRORS.QR_EXPIRED.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

/** One `startScanning` widget; {@link handle} is what the caller gets. */
export class ScanSession {
  private readonly view: WidgetView;
  private readonly strings: ScanTips;
  private readonly interval: number;
  private state: ScanState = initialScanState();
  private gene: GeneData | null = null;
  /** Bumped by every start/stop: async answers of an older cycle are dropped. */
  private cycle = 0;
  private realtime: RealtimeSubscription | null = null;
  private subscribed = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Local clock time (ms) at which the server considers the QR expired. */
  private deadline = Infinity;
  private expiryChecks = 0;

  constructor(
    private readonly api: ScanApi,
    container: HTMLElement,
    private readonly options: StartScanningOptions,
  ) {
    this.strings = resolveStrings(options.lang ?? api.lang, options.tips);
    const size = options.size && options.size > 0 ? Math.round(options.size) : 200;
    this.interval = options.interval && options.interval > 0 ? options.interval : 800;
    this.view = new WidgetView(container, this.strings, size, options.logo);
    this.view.show('loading');
  }

  /** The caller's `{stop, refresh}`. */
  get handle(): ScanHandle {
    return { stop: () => this.stop(), refresh: () => this.start() };
  }

  /** Starts a new QR cycle (also what refresh and the buttons do). */
  start(): void {
    this.teardown();
    // Idempotent (the same listener), and back again after a stop().
    document.addEventListener('visibilitychange', this.onVisibility);
    const cycle = this.cycle;
    this.state = initialScanState();
    this.gene = null;
    this.view.show('loading');
    this.call('onStart', () => this.options.onStart?.());
    void this.load(cycle);
  }

  /** Closes the socket and clears every timer. */
  stop(): void {
    this.teardown();
    this.view.dispose();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /**
   * A hidden tab does no polling; when it is shown again the widget asks `check` at once (the
   * socket may have slept with the tab), so the page is right the moment the user looks.
   */
  private readonly onVisibility = () => {
    if (document.visibilityState !== 'visible') return;
    const gene = this.gene;
    const cycle = this.cycle;
    if (!gene || isFinalScanStatus(this.state.status)) return;
    this.api.checkStatus(gene.random, gene.secret).then(
      (data) => {
        if (cycle === this.cycle) this.apply(cycle, data);
      },
      (error: unknown) => {
        if (cycle === this.cycle) this.onCheckError(cycle, error);
      },
    );
  };

  private async load(cycle: number): Promise<void> {
    let gene: GeneData;
    try {
      gene = await this.api.geneCode(
        this.options.customData ? { customData: this.options.customData } : undefined,
      );
    } catch (error) {
      if (cycle !== this.cycle) return;
      const message = messageOf(error);
      this.state = errorScanState(this.state);
      this.view.show('error', `${this.strings.error}: ${message}`, this.retryAction());
      this.call('onCodeLoadFailed', () => this.options.onCodeLoadFailed?.(message));
      return;
    }
    if (cycle !== this.cycle) return;
    this.gene = gene;
    this.state = createdScanState(gene.random);
    this.setDeadline(Date.now() + this.lifetimeMs(gene));
    this.call('onCodeLoaded', () => this.options.onCodeLoaded?.(gene.random, gene.url, gene.qrcode));

    await this.view.drawQr(gene.qrcode, gene.url);
    this.view.showMatch(gene.matchCode ?? null);
    if (cycle !== this.cycle) return;
    // Something (a fast phone, a push) may have moved the state on while drawing.
    this.render(this.state);
    this.call('onCodeShow', () => this.options.onCodeShow?.(gene.random, gene.url, gene.qrcode));
    if (isFinalScanStatus(this.state.status)) return;

    if (this.api.realtime) {
      this.realtime = new RealtimeSubscription(this.api.host, gene.random, gene.secret, {
        onSnapshot: (snapshot) => this.onSnapshot(cycle, snapshot),
        onPush: (event) => this.apply(cycle, event),
        onDown: () => this.onSocketDown(cycle),
        onRefused: (error) => this.onRefused(cycle, error.code),
      });
      this.graceTimer = setTimeout(() => {
        if (cycle === this.cycle && !this.subscribed) this.startPolling(cycle);
      }, SOCKET_GRACE_MS);
    } else {
      this.startPolling(cycle);
    }
  }

  /** Gene's lifetime in ms, measured on the server's clock (immune to local clock skew). */
  private lifetimeMs(gene: GeneData): number {
    if (Number.isFinite(gene.expiresIn) && gene.expiresIn > 0) return gene.expiresIn * 1000;
    const span = Date.parse(gene.expireAt) - Date.parse(gene.createdAt);
    return Number.isFinite(span) && span > 0 ? span : 120_000;
  }

  private onSnapshot(cycle: number, snapshot: QrSnapshot): void {
    if (cycle !== this.cycle) return;
    this.subscribed = true;
    this.stopPolling();
    clearTimeout(this.graceTimer);
    const remaining = Date.parse(snapshot.expireAt) - Date.parse(snapshot.serverNow);
    if (Number.isFinite(remaining)) this.setDeadline(Date.now() + remaining);
    this.apply(cycle, snapshot);
  }

  private onSocketDown(cycle: number): void {
    if (cycle !== this.cycle) return;
    this.subscribed = false;
    this.startPolling(cycle);
  }

  private onRefused(cycle: number, code: number): void {
    if (cycle !== this.cycle) return;
    if (isGone(code)) void this.confirmExpiry(cycle, true);
  }

  // ── polling fallback ────────────────────────────────────────────────────────────────────

  private startPolling(cycle: number): void {
    if (this.polling || cycle !== this.cycle || isFinalScanStatus(this.state.status)) return;
    this.polling = true;
    this.schedulePoll(cycle);
  }

  private stopPolling(): void {
    this.polling = false;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private schedulePoll(cycle: number): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(cycle), this.interval);
  }

  private async poll(cycle: number): Promise<void> {
    const gene = this.gene;
    if (!this.polling || cycle !== this.cycle || !gene) return;
    if (document.visibilityState === 'hidden') {
      // No requests from a hidden tab; the visibility handler checks when it is shown.
      this.schedulePoll(cycle);
      return;
    }
    try {
      const data = await this.api.checkStatus(gene.random, gene.secret);
      if (cycle !== this.cycle) return;
      this.apply(cycle, data);
    } catch (error) {
      if (cycle !== this.cycle) return;
      if (!this.onCheckError(cycle, error)) return;
    }
    if (this.polling && cycle === this.cycle && !isFinalScanStatus(this.state.status)) {
      this.schedulePoll(cycle);
    }
  }

  /** Handles a failed `check`; `true` when it is worth asking again later. */
  private onCheckError(cycle: number, error: unknown): boolean {
    const code = error instanceof QrLoginError ? error.code : 0;
    if (isTransient(code)) return true;
    if (isGone(code)) {
      this.apply(cycle, { status: QR_STATUS.EXPIRED, version: this.state.version + 1 });
      return false;
    }
    this.fail(cycle, messageOf(error));
    return false;
  }

  // ── local expiry ───────────────────────────────────────────────────────────────────────

  private setDeadline(deadline: number): void {
    this.deadline = deadline;
    this.view.setDeadline(Number.isFinite(deadline) ? deadline : null);
    this.scheduleExpiry(this.cycle);
  }

  private scheduleExpiry(cycle: number): void {
    clearTimeout(this.expiryTimer);
    if (!Number.isFinite(this.deadline)) return;
    const delay = Math.min(Math.max(this.deadline - Date.now() + EXPIRY_MARGIN_MS, 0), MAX_TIMEOUT_MS);
    this.expiryTimer = setTimeout(() => void this.confirmExpiry(cycle, false), delay);
  }

  /**
   * `expireAt` passed (or the server said the QR is gone): ask `check` for the truth — a
   * confirmation may have landed just in time — and show expired when it agrees, or when it
   * cannot be asked.
   */
  private async confirmExpiry(cycle: number, gone: boolean): Promise<void> {
    const gene = this.gene;
    if (cycle !== this.cycle || !gene || isFinalScanStatus(this.state.status)) return;
    if (!gone && Date.now() < this.deadline) {
      this.scheduleExpiry(cycle); // the deadline moved (a snapshot arrived); wait for it
      return;
    }
    try {
      const data = await this.api.checkStatus(gene.random, gene.secret);
      if (cycle !== this.cycle) return;
      this.apply(cycle, data);
      if (isFinalScanStatus(this.state.status)) return;
      if (this.expiryChecks++ < EXPIRY_RECHECKS) {
        // The server's clock has not reached expireAt yet: ask again shortly.
        this.expiryTimer = setTimeout(() => void this.confirmExpiry(cycle, gone), 1000);
        return;
      }
    } catch (error) {
      if (cycle !== this.cycle) return;
      const code = error instanceof QrLoginError ? error.code : 0;
      if (!isTransient(code) && !isGone(code)) {
        this.fail(cycle, messageOf(error));
        return;
      }
    }
    this.apply(cycle, { status: QR_STATUS.EXPIRED, version: this.state.version + 1 });
  }

  // ── applying states ────────────────────────────────────────────────────────────────────

  /** Runs one report through the reducer and acts on a change of status. */
  private apply(cycle: number, incoming: IncomingState): void {
    if (cycle !== this.cycle) return;
    const previous = this.state;
    const next = reduceScanState(previous, incoming);
    if (next === previous) return;
    this.state = next;
    if (next.status === previous.status) return; // a newer version of the same status
    if (next.ticket && this.gene) this.api.rememberTicket(next.ticket, this.gene.secret);
    if (isFinalScanStatus(next.status)) this.finish();
    this.render(next);
    this.notify(cycle, next);
  }

  /** Shows a state: attribute, text, button. */
  private render(state: ScanState): void {
    switch (state.status) {
      case 'cancelled':
      case 'expired':
        this.view.show(state.status, undefined, this.refreshAction());
        break;
      case 'error':
        this.view.show('error', this.strings.failed, this.retryAction());
        break;
      case 'scanned':
        this.view.show('scanned');
        this.view.showScanner(state.userInfo);
        break;
      default:
        this.view.show(state.status);
    }
  }

  /** The callbacks of a newly applied state (the DOM already shows it). */
  private notify(cycle: number, state: ScanState): void {
    if (state.random === null) return;
    const result: ScanResult = {
      random: state.random,
      status: wireStatus(state),
      statusName: state.status,
      version: state.version,
      ticket: state.ticket,
      userInfo: state.userInfo,
    };
    this.call('onResult', () => this.options.onResult?.(result));
    switch (state.status) {
      case 'scanned':
        this.call('onScanned', () => this.options.onScanned?.(state.userInfo));
        break;
      case 'confirmed':
        if (state.ticket) void this.succeed(cycle, state.ticket);
        break;
      case 'cancelled':
        this.call('onCancel', () => this.options.onCancel?.());
        break;
      case 'expired':
        this.call('onExpired', () => this.options.onExpired?.());
        break;
      default:
        break;
    }
  }

  private async succeed(cycle: number, ticket: string): Promise<void> {
    const gene = this.gene;
    if (this.options.autoExchangeUserInfo === false || !gene) {
      this.call('onSuccess', () => this.options.onSuccess?.({}, ticket));
      return;
    }
    let user: UserInfoData;
    try {
      user = await this.api.exchangeUserInfo(ticket, gene.secret);
    } catch (error) {
      if (cycle === this.cycle) this.fail(cycle, messageOf(error));
      return;
    }
    if (cycle !== this.cycle) return;
    this.view.setText(this.strings.success);
    this.call('onSuccess', () => this.options.onSuccess?.(user, ticket));
  }

  /** Ends the cycle in `error` with a retry button and tells `onError`. */
  private fail(cycle: number, message: string): void {
    if (cycle !== this.cycle) return;
    this.state = errorScanState(this.state);
    this.finish();
    this.view.show('error', `${this.strings.failed}: ${message}`, this.retryAction());
    this.call('onError', () => this.options.onError?.(message));
  }

  private refreshAction() {
    return { label: this.strings.refresh, run: () => this.retry() };
  }

  private retryAction() {
    return { label: this.strings.retry, run: () => this.retry() };
  }

  private retry(): void {
    this.call('onRetry', () => this.options.onRetry?.());
    this.start();
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────

  /** A terminal state: close the socket and clear every timer, keep the cycle's DOM. */
  private finish(): void {
    this.realtime?.close();
    this.realtime = null;
    this.subscribed = false;
    this.stopPolling();
    clearTimeout(this.graceTimer);
    clearTimeout(this.expiryTimer);
  }

  /** Ends the current cycle entirely: later answers of it are dropped. */
  private teardown(): void {
    this.cycle += 1;
    this.finish();
    this.deadline = Infinity;
    this.expiryChecks = 0;
  }

  /** Runs a user callback; one that throws must not break the widget. */
  private call(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      console.error(`qrlogin: ${name} callback threw`, error);
    }
  }
}

function wireStatus(state: ScanState): QrStatus {
  switch (state.status) {
    case 'scanned':
      return QR_STATUS.SCANNED;
    case 'confirmed':
      return QR_STATUS.CONFIRMED;
    case 'cancelled':
      return QR_STATUS.CANCELLED;
    case 'expired':
      return QR_STATUS.EXPIRED;
    default:
      return QR_STATUS.PENDING;
  }
}
