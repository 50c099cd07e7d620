/**
 * @module
 * What the page and the caller see of a widget: turns states into `WidgetView` calls and
 * runs the caller's callbacks. It decides nothing about the QR.
 *
 * Invariant (PROTOCOL §6): the container's `data-qrlogin-status` always names the current
 * state, and is set before the callback of that state runs. A callback that throws is logged
 * and does not break the widget.
 */
import type { GeneData, Lang, QrStatus, UserInfoData } from '../../shared';
import { QR_STATUS } from '../../shared';
import type { ScanState, ScanStatus } from './scan-state';
import { errorCode, messageOf } from '../common/errors';
import { errorReason, resolveStrings, type ScanTips } from './strings';
import type { ScanResult, StartScanningOptions } from './types';
import { WidgetView } from './widget-view';

/** QR width and height when `size` is not given. */
const DEFAULT_SIZE = 200;

/** What joins a label and its reason: a full-width colon in Chinese. */
function colon(lang: Lang): string {
  return lang === 'zh-CN' ? '：' : ': ';
}

/** The DOM and the callbacks of one widget, across its cycles. */
export class ScanPresenter {
  private readonly strings: ScanTips;
  private readonly lang: Lang;
  private readonly view: WidgetView;
  /** The status last shown (and told to `onStatus`). */
  private shown: ScanStatus | null = null;

  constructor(
    container: HTMLElement,
    private readonly options: StartScanningOptions,
    lang: Lang,
    /** What the refresh / retry button does (after `onRetry`). */
    private readonly restart: () => void,
  ) {
    this.lang = options.lang ?? lang;
    this.strings = resolveStrings(this.lang, options.tips);
    const size = options.size && options.size > 0 ? Math.round(options.size) : DEFAULT_SIZE;
    this.view = new WidgetView(container, this.strings, size, options.logo);
    this.show('loading');
  }

  /** A new cycle starts: the busy state, then `onStart`. */
  loading(): void {
    this.show('loading');
    this.call('onStart', () => this.options.onStart?.());
  }

  /** The sentence for a page whose origin the server refuses. */
  private originRefusedText(origin: string): string {
    return this.strings.originRefused.replace('{origin}', origin);
  }

  /**
   * The QR could not be created: people read the reason for the error's code (or, when the
   * server refuses this page's `refusedOrigin`, that sentence); `onCodeLoadFailed` gets the
   * server's message, for developers.
   */
  loadFailed(error: unknown, refusedOrigin: string | null): void {
    const reason = refusedOrigin === null ? errorReason(errorCode(error), this.lang) : this.originRefusedText(refusedOrigin);
    const message = refusedOrigin === null ? messageOf(error) : reason;
    this.show('error', `${this.strings.error}${colon(this.lang)}${reason}`, this.retryAction());
    this.call('onCodeLoadFailed', () => this.options.onCodeLoadFailed?.(message));
  }

  /** The QR was created (not drawn yet). */
  codeLoaded(gene: GeneData): void {
    this.call('onCodeLoaded', () => this.options.onCodeLoaded?.(gene.random, gene.url, gene.qrcode));
  }

  /** Draws the QR. */
  drawCode(gene: GeneData): Promise<void> {
    return this.view.drawQr(gene.qrcode, gene.url);
  }

  /** The QR is on screen: its number to match, the current state, then `onCodeShow`. */
  codeShown(gene: GeneData, state: ScanState): void {
    this.view.showMatch(gene.matchCode ?? null);
    this.render(state);
    this.call('onCodeShow', () => this.options.onCodeShow?.(gene.random, gene.url, gene.qrcode));
  }

  /** The local time at which the QR expires (`null`: unknown), for the countdown. */
  setDeadline(deadline: number | null): void {
    this.view.setDeadline(deadline);
  }

  /** A new status: the page first, then `onResult` and the status's own callback. */
  present(state: ScanState): void {
    this.render(state);
    this.notify(state);
  }

  /** Signed in: `user` when the ticket was exchanged, else the caller redeems `ticket`. */
  succeeded(ticket: string, user?: UserInfoData): void {
    if (user) this.view.setText(this.strings.success);
    this.call('onSuccess', () => this.options.onSuccess?.(user ?? {}, ticket));
  }

  /** The cycle ended in `error`: the reason for its code, a retry button, and `onError` (the server's message). */
  failed(error: unknown): void {
    const message = messageOf(error);
    this.show('error', `${this.strings.failed}${colon(this.lang)}${errorReason(errorCode(error), this.lang)}`, this.retryAction());
    this.call('onError', () => this.options.onError?.(message));
  }

  /** Stops the countdown (the widget is stopped); the DOM stays as it is. */
  dispose(): void {
    this.view.dispose();
  }

  /** Shows a status (the container's attribute, text, button) and tells `onStatus` of a new one. */
  private show(status: ScanStatus, text?: string, action?: { label: string; run: () => void }): void {
    this.view.show(status, text, action);
    if (status === this.shown) return;
    this.shown = status;
    this.call('onStatus', () => this.options.onStatus?.(status));
  }

  /** Shows a state: attribute, text, button. */
  private render(state: ScanState): void {
    switch (state.status) {
      case 'cancelled':
      case 'expired':
        this.show(state.status, undefined, this.refreshAction());
        break;
      case 'error':
        this.show('error', this.strings.failed, this.retryAction());
        break;
      case 'scanned':
        this.show('scanned');
        this.view.showScanner(state.userInfo);
        break;
      default:
        this.show(state.status);
    }
  }

  /** The callbacks of a newly applied state (the DOM already shows it). */
  private notify(state: ScanState): void {
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
      case 'cancelled':
        this.call('onCancel', () => this.options.onCancel?.());
        break;
      case 'expired':
        this.call('onExpired', () => this.options.onExpired?.());
        break;
      default:
        break; // `confirmed` tells `onSuccess` once the ticket is dealt with
    }
  }

  private refreshAction() {
    return { label: this.strings.refresh, run: () => this.retry() };
  }

  private retryAction() {
    return { label: this.strings.retry, run: () => this.retry() };
  }

  private retry(): void {
    this.call('onRetry', () => this.options.onRetry?.());
    this.restart();
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
