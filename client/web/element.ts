/**
 * @module
 * `<qr-login>`: the QR login widget as a custom element, in an open shadow root. Registered
 * by `import '@qrlogin/web'` and by the `/sdk/qrlogin.js` script; importing it where there is
 * no DOM (server-side rendering) defines nothing and throws nothing.
 *
 * @example
 * <qr-login app-id="shop" host="https://login.example.com" lang="en" size="200"></qr-login>
 * <script type="module">
 *   import '@qrlogin/web';
 *   document.querySelector('qr-login').addEventListener('qrlogin-success', (event) => {
 *     console.log(event.detail.user, event.detail.ticket);
 *   });
 * </script>
 */
import type { Lang } from '../../shared';
import { QrLoginClient } from './qrlogin-client';
import type { ScanStatus } from './scan-state';
import type { ScanHandle, ScanUser } from './types';
import { STATUS_ATTRIBUTE } from './widget-view';

/** The element's tag name. */
export const QR_LOGIN_TAG = 'qr-login';

/** What `detail` holds in each event of `<qr-login>` (they bubble and cross shadow roots). */
export interface QrLoginEventDetails {
  /** Each new status, the same as the element's `data-qrlogin-status`. */
  'qrlogin-status': { status: ScanStatus };
  /** Approved: `user` is the full user with its ID `token`, or `{}` with `exchange="server"`. */
  'qrlogin-success': { user: ScanUser; ticket: string };
  /** The QR could not be created, or signing in failed after approval. */
  'qrlogin-error': { message: string };
}

/** The events of `<qr-login>`, as `addEventListener` types them. */
export type QrLoginElementEventMap = { [K in keyof QrLoginEventDetails]: CustomEvent<QrLoginEventDetails[K]> };

/**
 * What `document.querySelector('qr-login')` and `createElement('qr-login')` are typed as. An
 * interface (no private members), so two copies of the SDK in one program agree on it.
 */
export interface HTMLQrLoginElement extends HTMLElement {
  /** The current status (`data-qrlogin-status`), or `null` before the first start. */
  readonly status: ScanStatus | null;
  /** Starts over with a new QR code (as the widget's refresh button does). */
  refresh(): void;
}

/** The attributes `<qr-login>` reads; a change while it is on the page restarts it. */
const ATTRIBUTES = ['app-id', 'host', 'lang', 'size', 'logo', 'exchange'] as const;

/** Where there is no DOM (server-side rendering) the class extends nothing that could throw. */
const Base: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (class {} as unknown as typeof HTMLElement) : HTMLElement;

/**
 * The `<qr-login>` element. Attributes: `app-id`, `host` (the qrlogin server's origin; default
 * the page's), `lang` (`en` | `zh-CN`), `size` (CSS pixels, default 200), `logo` (an image URL
 * for the QR's middle), `exchange="server"` (do not redeem the ticket in the browser: your
 * backend does, with the app secret). Events: `qrlogin-status`, `qrlogin-success`,
 * `qrlogin-error` (see {@link QrLoginEventDetails}). Style it with `--qrlogin-fg`, `--qrlogin-bg`,
 * `--qrlogin-accent`, `--qrlogin-accent-fg` and `::part(qr | logo | scanner | match | status |
 * countdown | action | code | widget)`.
 */
export class QrLoginElement extends Base implements HTMLQrLoginElement {
  static get observedAttributes(): readonly string[] {
    return ATTRIBUTES;
  }

  private handle: ScanHandle | null = null;
  private container: HTMLDivElement | null = null;
  /** Bumped by every (re)start request and stop: only the latest scheduled start runs. */
  private generation = 0;

  /** The current status (`data-qrlogin-status`), or `null` before the first start. */
  get status(): ScanStatus | null {
    return (this.getAttribute(STATUS_ATTRIBUTE) as ScanStatus | null) ?? null;
  }

  /** Starts over with a new QR code (as the widget's refresh button does). */
  refresh(): void {
    if (this.handle) this.handle.refresh();
    else if (this.isConnected) this.schedule();
  }

  connectedCallback(): void {
    this.schedule();
  }

  disconnectedCallback(): void {
    this.generation += 1;
    this.stop();
  }

  attributeChangedCallback(_name: string, previous: string | null, value: string | null): void {
    if (previous !== value && this.isConnected) this.schedule();
  }

  /**
   * Starts (again) once the current task's attribute changes are done: a framework setting
   * five attributes makes one QR, not five.
   */
  private schedule(): void {
    const generation = ++this.generation;
    queueMicrotask(() => {
      if (generation === this.generation && this.isConnected) this.start();
    });
  }

  private start(): void {
    this.stop();
    const container = this.ensureContainer();
    const size = Number(this.getAttribute('size'));
    const logo = this.getAttribute('logo');
    const client = new QrLoginClient({
      appId: this.getAttribute('app-id') || undefined,
      host: this.getAttribute('host') || undefined,
      lang: readLang(this.getAttribute('lang')),
    });
    const failed = (message: string) => this.emit('qrlogin-error', { message });
    this.handle = client.startScanning(container, {
      ...(Number.isFinite(size) && size > 0 ? { size } : {}),
      ...(logo ? { logo } : {}),
      autoExchangeUserInfo: this.getAttribute('exchange') !== 'server',
      onStatus: (status) => {
        this.setAttribute(STATUS_ATTRIBUTE, status);
        this.emit('qrlogin-status', { status });
      },
      onSuccess: (user, ticket) => this.emit('qrlogin-success', { user, ticket }),
      onError: failed,
      onCodeLoadFailed: failed,
    });
  }

  /** Closes the socket and clears every timer; what is on screen stays. */
  private stop(): void {
    this.handle?.stop();
    this.handle = null;
  }

  /** The widget's container in the open shadow root (made once). */
  private ensureContainer(): HTMLDivElement {
    if (this.container) return this.container;
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const container = this.ownerDocument.createElement('div');
    container.setAttribute('part', 'container');
    // Through the CSSOM, as the widget's own styles: a strict `style-src` does not block it.
    container.style.display = 'inline-block';
    container.style.verticalAlign = 'top';
    root.replaceChildren(container);
    adoptHostStyles(root);
    this.container = container;
    return container;
  }

  private emit<K extends keyof QrLoginEventDetails>(type: K, detail: QrLoginEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/** `:host` is an inline-block box (hidden when `hidden`), where constructable sheets exist. */
function adoptHostStyles(root: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(':host { display: inline-block; vertical-align: top; } :host([hidden]) { display: none; }');
    root.adoptedStyleSheets = [sheet];
  } catch {
    // An older browser: the container's own inline-block box does the job.
  }
}

function readLang(value: string | null): Lang {
  return value === 'zh-CN' ? 'zh-CN' : 'en';
}

/**
 * Registers `<qr-login>` unless it is registered already (another copy of the SDK, or an
 * earlier call) or there is no `customElements` (server-side rendering). Safe to call often.
 */
export function defineQrLoginElement(): void {
  if (typeof customElements === 'undefined' || typeof HTMLElement === 'undefined') return;
  if (!customElements.get(QR_LOGIN_TAG)) customElements.define(QR_LOGIN_TAG, QrLoginElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'qr-login': HTMLQrLoginElement;
  }
  interface GlobalEventHandlersEventMap {
    'qrlogin-status': CustomEvent<QrLoginEventDetails['qrlogin-status']>;
    'qrlogin-success': CustomEvent<QrLoginEventDetails['qrlogin-success']>;
    'qrlogin-error': CustomEvent<QrLoginEventDetails['qrlogin-error']>;
  }
}
