/**
 * @module
 * The scanning widget's DOM: a QR `<canvas>` (drawn locally with `qrcode`), a status line read
 * out by screen readers, and one action button (refresh / retry). No logic of the session:
 * the controller tells it what to show. Everything is inserted as text, styles are set through
 * the CSSOM (so a strict `style-src` CSP does not block them) and read CSS custom properties
 * (`--qrlogin-fg`, `--qrlogin-muted`, `--qrlogin-bg`, `--qrlogin-accent`, `--qrlogin-accent-fg`)
 * so a site can theme the widget. Each piece also has a `part` name (`widget`, `code`, `qr`,
 * `logo`, `scanner`, `match`, `status`, `countdown`, `action`) for `qr-login::part(…)` styles.
 */
import QRCode from 'qrcode';
import type { ScannerInfo } from '../../shared';
import type { ScanStatus } from './scan-state';
import type { ScanTips } from './strings';

/** The container attribute PROTOCOL §6 promises. */
export const STATUS_ATTRIBUTE = 'data-qrlogin-status';

/** Statuses in which the QR is still on screen but can no longer be used. */
const DIMMED: ReadonlySet<ScanStatus> = new Set<ScanStatus>(['scanned', 'confirmed', 'cancelled', 'expired']);

/** Renders one widget inside `container`, replacing what was there. */
export class WidgetView {
  private readonly root: HTMLDivElement;
  private readonly code: HTMLDivElement;
  private readonly statusLine: HTMLParagraphElement;
  private readonly match: HTMLParagraphElement;
  private readonly countdown: HTMLParagraphElement;
  private readonly scanner: HTMLDivElement;
  private deadline: number | null = null;
  /** The QR is open (pending or scanned): the clock shows. */
  private open = false;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly action: HTMLButtonElement;
  private onAction: (() => void) | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly strings: ScanTips,
    private readonly size: number,
    /** A logo to show in the middle of the QR. */
    private readonly logo?: string,
  ) {
    const doc = container.ownerDocument;
    this.root = doc.createElement('div');
    this.root.className = 'qrlogin';
    this.root.setAttribute('part', 'widget');
    Object.assign(this.root.style, {
      display: 'inline-flex',
      flexDirection: 'column',
      alignItems: 'center',
      gap: '8px',
      color: 'var(--qrlogin-fg, inherit)',
      fontSize: '14px',
      lineHeight: '1.4',
      textAlign: 'center',
      maxWidth: `${Math.max(size, 200)}px`,
    } satisfies Partial<CSSStyleDeclaration>);

    this.code = doc.createElement('div');
    this.code.className = 'qrlogin-code';
    this.code.setAttribute('part', 'code');
    Object.assign(this.code.style, {
      width: `${size}px`,
      height: `${size}px`,
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
      background: 'var(--qrlogin-bg, #fff)',
      borderRadius: '4px',
      transition: 'opacity .2s',
      position: 'relative',
    } satisfies Partial<CSSStyleDeclaration>);

    this.statusLine = doc.createElement('p');
    this.statusLine.className = 'qrlogin-status';
    this.statusLine.setAttribute('part', 'status');
    this.statusLine.setAttribute('aria-live', 'polite');
    this.statusLine.setAttribute('role', 'status');
    Object.assign(this.statusLine.style, { margin: '0', minHeight: '1.4em' } satisfies Partial<CSSStyleDeclaration>);

    this.action = doc.createElement('button');
    this.action.type = 'button';
    this.action.className = 'qrlogin-action';
    this.action.setAttribute('part', 'action');
    this.action.hidden = true;
    Object.assign(this.action.style, {
      font: 'inherit',
      padding: '8px 16px',
      minHeight: '40px',
      border: '0',
      borderRadius: '6px',
      cursor: 'pointer',
      background: 'var(--qrlogin-accent, #0b57d0)',
      color: 'var(--qrlogin-accent-fg, #fff)',
    } satisfies Partial<CSSStyleDeclaration>);
    this.action.addEventListener('click', () => this.onAction?.());

    this.match = doc.createElement('p');
    this.match.className = 'qrlogin-match';
    this.match.setAttribute('part', 'match');
    this.match.hidden = true;
    Object.assign(this.match.style, { margin: '0', fontWeight: '600' } satisfies Partial<CSSStyleDeclaration>);

    // Outside the aria-live status on purpose: a ticking clock must not be read out each second.
    this.countdown = doc.createElement('p');
    this.countdown.className = 'qrlogin-countdown';
    this.countdown.setAttribute('part', 'countdown');
    this.countdown.hidden = true;
    Object.assign(this.countdown.style, {
      margin: '0',
      opacity: '0.7',
      fontVariantNumeric: 'tabular-nums',
    } satisfies Partial<CSSStyleDeclaration>);

    // Who scanned: only filled in when the app lets the website see it (`showScannerOnWeb`).
    this.scanner = doc.createElement('div');
    this.scanner.className = 'qrlogin-scanner';
    this.scanner.setAttribute('part', 'scanner');
    this.scanner.hidden = true;
    Object.assign(this.scanner.style, { display: 'flex', alignItems: 'center', gap: '8px' } satisfies Partial<CSSStyleDeclaration>);

    this.root.append(this.code, this.scanner, this.match, this.statusLine, this.countdown, this.action);
    container.replaceChildren(this.root);
  }

  /**
   * Sets the container's `data-qrlogin-status`, the status line and the action button.
   * `text` replaces the status's default text (e.g. an error message).
   */
  show(status: ScanStatus, text?: string, action?: { label: string; run: () => void }): void {
    this.container.setAttribute(STATUS_ATTRIBUTE, status);
    this.container.setAttribute('aria-busy', String(status === 'loading'));
    this.statusLine.textContent = text ?? this.defaultText(status);
    this.code.style.opacity = DIMMED.has(status) ? '0.25' : '1';
    this.open = status === 'pending' || status === 'scanned';
    if (status !== 'scanned') this.showScanner({});
    this.restartClock();
    if (status === 'loading' || status === 'error') this.code.replaceChildren();
    if (action) {
      this.action.textContent = action.label;
      this.onAction = action.run;
      this.action.hidden = false;
    } else {
      this.onAction = null;
      this.action.hidden = true;
    }
  }

  /**
   * Number matching: shows the code the user must pick on the phone (`null` hides it). The
   * code is also in `data-qrlogin-match` for tests and custom rendering.
   */
  showMatch(code: string | null): void {
    this.match.hidden = code === null;
    this.match.textContent = code === null ? '' : this.strings.matchCode.replace('{code}', code);
    if (code === null) this.container.removeAttribute('data-qrlogin-match');
    else this.container.setAttribute('data-qrlogin-match', code);
  }

  /** The scanner's avatar and name, when the server sent them (else nothing is shown). */
  showScanner(info: ScannerInfo): void {
    const doc = this.container.ownerDocument;
    const parts: HTMLElement[] = [];
    if (info.photo) {
      const img = doc.createElement('img');
      img.src = info.photo;
      img.alt = info.nickname ?? '';
      img.width = 32;
      img.height = 32;
      img.referrerPolicy = 'no-referrer';
      Object.assign(img.style, { borderRadius: '50%', objectFit: 'cover' } satisfies Partial<CSSStyleDeclaration>);
      parts.push(img);
    }
    if (info.nickname) {
      const name = doc.createElement('span');
      name.textContent = info.nickname;
      parts.push(name);
    }
    this.scanner.replaceChildren(...parts);
    this.scanner.hidden = parts.length === 0;
  }

  /** The local time at which the QR expires (null: unknown), shown as "m:ss left" while open. */
  setDeadline(deadline: number | null): void {
    this.deadline = deadline;
    this.restartClock();
  }

  private restartClock(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.open && this.deadline !== null) this.ticker = setInterval(() => this.tick(), 1000);
    this.tick();
  }

  private tick(): void {
    const left = this.deadline === null ? 0 : Math.max(0, Math.ceil((this.deadline - Date.now()) / 1000));
    this.countdown.hidden = !this.open || this.deadline === null;
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    this.countdown.textContent = this.countdown.hidden ? '' : this.strings.timeLeft.replace('{time}', time);
  }

  /** Stops the clock (the widget is stopped). */
  dispose(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Only the status line, e.g. "Signed in" after a successful exchange. */
  setText(text: string): void {
    this.statusLine.textContent = text;
  }

  /**
   * Draws the QR for `text` into a `<canvas role="img">`; if drawing fails (no canvas
   * support), falls back to the server-rendered PNG at `imageUrl`.
   */
  async drawQr(text: string, imageUrl: string): Promise<void> {
    const doc = this.container.ownerDocument;
    let element: HTMLElement;
    try {
      const canvas = doc.createElement('canvas');
      // With a logo over its middle the QR needs the highest error correction (30 %).
      await QRCode.toCanvas(canvas, text, { errorCorrectionLevel: this.logo ? 'H' : 'M', margin: 2, width: this.size });
      element = canvas;
    } catch {
      const img = doc.createElement('img');
      img.src = imageUrl;
      img.alt = this.strings.qrLabel;
      img.width = this.size;
      img.height = this.size;
      element = img;
    }
    element.className = 'qrlogin-qr';
    element.setAttribute('part', 'qr');
    element.setAttribute('role', 'img');
    element.setAttribute('aria-label', this.strings.qrLabel);
    // The QR's own text: public (it is what the image says), handy for tests and copy/paste.
    element.setAttribute('data-qrlogin-text', text);
    Object.assign(element.style, { width: `${this.size}px`, height: `${this.size}px`, display: 'block' });
    this.code.replaceChildren(element, ...this.logoElement(doc));
  }

  private logoElement(doc: Document): HTMLElement[] {
    if (!this.logo) return [];
    const side = Math.round(this.size * 0.2);
    const logo = doc.createElement('img');
    logo.className = 'qrlogin-logo';
    logo.setAttribute('part', 'logo');
    logo.src = this.logo;
    logo.alt = '';
    logo.width = side;
    logo.height = side;
    Object.assign(logo.style, {
      position: 'absolute',
      left: '50%',
      top: '50%',
      transform: 'translate(-50%, -50%)',
      padding: '3px',
      background: '#fff',
      borderRadius: '6px',
      boxSizing: 'content-box',
      pointerEvents: 'none',
    } satisfies Partial<CSSStyleDeclaration>);
    return [logo];
  }

  private defaultText(status: ScanStatus): string {
    return this.strings[status];
  }
}
