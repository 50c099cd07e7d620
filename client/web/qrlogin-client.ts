/**
 * @module
 * `QrLoginClient`: the web SDK's entry object. REST calls of the browser side (PROTOCOL §3)
 * and {@link QrLoginClient.startScanning}, the drop-in QR login widget.
 */
import type { CheckData, GeneData, Lang, UserInfoData } from '../../shared';
import { API, HEADERS } from '../../shared';
import { defaultFetch, normalizeHost, request, type HttpContext } from '../common/http';
import type { ScanApi } from './scan-cycle';
import { ScanSession } from './scan-session';
import type { GeneCodeOptions, QrLoginClientOptions, ScanHandle, StartScanningOptions } from './types';

/** The widget running in each container: a new `startScanning` there stops the old one. */
const running = new WeakMap<HTMLElement, ScanSession>();

/** How many secrets (per QR and per ticket) a client remembers; the oldest go first. */
const REMEMBERED = 64;

function remember(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > REMEMBERED) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}

/**
 * Browser client of a qrlogin server.
 *
 * @example
 * const client = new QrLoginClient({ appId: 'demo' });
 * client.startScanning('qrcode', {
 *   onSuccess: (user) => console.log('signed in as', user.nickname),
 * });
 */
export class QrLoginClient implements ScanApi {
  /** Origin of the qrlogin server (no trailing slash). */
  readonly host: string;
  /** Language of server messages and widget texts. */
  readonly lang: Lang;
  /** Whether `startScanning` uses Socket.IO (else polling only). */
  readonly realtime: boolean;
  /** The app id sent with each request (the server's default app when absent). */
  readonly appId: string | undefined;
  private readonly http: HttpContext;
  /** random → secret of every QR this client created. */
  private readonly secrets = new Map<string, string>();
  /** ticket → secret of the QR that produced it. */
  private readonly ticketSecrets = new Map<string, string>();

  constructor(options: QrLoginClientOptions = {}) {
    const origin = typeof location === 'undefined' ? undefined : location.origin;
    this.host = normalizeHost(options.host, origin);
    this.lang = options.lang === 'zh-CN' ? 'zh-CN' : 'en';
    this.realtime = options.realtime !== false;
    this.appId = options.appId;
    this.http = {
      host: this.host,
      fetch: options.fetch ?? defaultFetch(),
      lang: this.lang,
      appId: options.appId,
      credentials: 'include',
    };
  }

  /**
   * Creates a QR code (`POST /api/v2/qrcode/gene`). The client remembers its `secret`.
   *
   * @throws {QrLoginError}
   */
  async geneCode(opts: GeneCodeOptions = {}): Promise<GeneData> {
    const body = opts.customData ? { customData: opts.customData } : {};
    const data = await request<GeneData>(this.http, { method: 'POST', path: API.gene, body });
    remember(this.secrets, data.random, data.secret);
    return data;
  }

  /**
   * The QR's current state (`GET /api/v2/qrcode/check`). Proves the browser secret (given, or
   * remembered from `geneCode`) by header, and by cookie as well.
   *
   * @throws {QrLoginError}
   */
  async checkStatus(random: string, secret?: string): Promise<CheckData> {
    const known = secret ?? this.secrets.get(random);
    const data = await request<CheckData>(this.http, {
      method: 'GET',
      path: `${API.check}?random=${encodeURIComponent(random)}`,
      headers: { [HEADERS.secret]: known },
    });
    if (data.ticket && known) remember(this.ticketSecrets, data.ticket, known);
    return data;
  }

  /**
   * Redeems a ticket for the user and a signed ID token (`POST /api/v2/qrcode/userinfo`).
   * Works once per ticket. Sends the secret of the QR that produced the ticket.
   *
   * @throws {QrLoginError} e.g. 2244 (ticket invalid, expired or used), 2245 (no secret).
   */
  async exchangeUserInfo(ticket: string, secret?: string): Promise<UserInfoData> {
    const known = secret ?? this.ticketSecrets.get(ticket);
    const data = await request<UserInfoData>(this.http, {
      method: 'POST',
      path: API.userinfo,
      body: { ticket },
      headers: { [HEADERS.secret]: known },
    });
    this.ticketSecrets.delete(ticket);
    return data;
  }

  /** @internal Used by the widget: the secret to send with a ticket it received by push. */
  rememberTicket(ticket: string, secret: string): void {
    remember(this.ticketSecrets, ticket, secret);
  }

  /**
   * Shows a live QR login widget in the element `domId` (an id, or the element itself) and
   * keeps its `data-qrlogin-status` attribute up to date (`loading`, `pending`, `scanned`,
   * `confirmed`, `cancelled`, `expired`, `error`). Starting a widget in a container that
   * already runs one stops the old one.
   *
   * @throws {Error} when there is no such element.
   */
  startScanning(domId: string | HTMLElement, options: StartScanningOptions = {}): ScanHandle {
    const container = typeof domId === 'string' ? document.getElementById(domId) : domId;
    if (!container) throw new Error(`qrlogin: no element with id "${String(domId)}"`);
    running.get(container)?.stop();
    const session = new ScanSession(this, container, options);
    running.set(container, session);
    session.start();
    return session.handle;
  }
}
