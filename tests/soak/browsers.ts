/**
 * @module
 * A waiting browser as the web SDK is one (client/web/realtime.ts): a QR from `gene`, one
 * Socket.IO socket (WebSocket) with socket.io-client's default reconnection (1 s doubling to
 * 5 s, ±50 % jitter), and `qr:subscribe` with the browser secret on every connect, whose
 * snapshot carries the ticket once confirmed. A 503 ack is retried after a second (the
 * server's Retry-After), a timed-out ack after 2 s (as realtime.ts does); any other refusal is
 * recorded and ends the subscription. No `check` polling: a confirmation reaches the browser
 * by push or by the snapshot of a re-subscription, or not at all.
 *
 * Sockets leave from `localAddress` (127.0.0.x): nginx caps sockets per client address (1000,
 * `limit_conn`), and thousands of browsers are many addresses in real life.
 */
import { type ManagerOptions, type Socket, type SocketOptions, io } from 'socket.io-client';
import { API, type GeneData } from '../../shared/http';
import { type Ack, type ClientToServerEvents, EVENTS, type QrSnapshot, type ServerToClientEvents } from '../../shared/protocol';
import { QR_STATUS, type QrStatus } from '../../shared/status';
import type { SoakHttp } from './http';
import type { Recorder } from './recorder';
import { TracedWebSocket } from './traced-transport';

export type BrowserSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What client/web/realtime.ts leaves at socket.io-client's defaults. */
export const SDK_RECONNECTION = {
  reconnection: true,
  reconnectionDelay: 1_000,
  reconnectionDelayMax: 5_000,
  randomizationFactor: 0.5,
  timeout: 20_000,
} as const;
/** realtime.ts: the ack wait, and the pause before subscribing again after a timeout. */
const ACK_TIMEOUT_MS = 5_000;
const RESUBSCRIBE_DELAY_MS = 2_000;
/** After a 503 ack (the server's Retry-After: 1). */
const UNAVAILABLE_RETRY_MS = 1_000;
/** Subscribe attempts on one connection before giving up (code -1). */
const MAX_ATTEMPTS_PER_CONNECTION = 40;

export interface Delivery {
  ticket: string;
  by: 'push' | 'snapshot';
  at: number;
}

export interface BrowserHooks {
  onDisconnect(browser: Browser, reason: string): void;
  onSubscribed(browser: Browser): void;
  onExpired(browser: Browser): void;
}

export interface BrowserContext {
  url: string;
  http: SoakHttp;
  recorder: Recorder;
  hooks: BrowserHooks;
  /** The 127.0.0.x address browser `id` connects from. */
  localAddress(id: number): string;
}

export class Browser {
  readonly socket: BrowserSocket;
  connects = 0;
  disconnects = 0;
  lastConnectAt = 0;
  /** The instance (`127.0.0.1:port`) of each connection, oldest first (the last 8). */
  readonly upstreams: (string | null)[] = [];
  lastDisconnectAt = 0;
  lastSubscribedAt = 0;
  delivery: Delivery | null = null;
  status: QrStatus = QR_STATUS.PENDING;
  /** The last hard refusal's code (-1: gave up after 503s); null: none. */
  refusedCode: number | null = null;
  /** Pushes for its QR, by event. */
  readonly pushes = { scanned: 0, confirmed: 0 };
  private closed = false;
  /** The connection (`connects` value) whose subscription was acknowledged; -1: none. */
  private subscribedOn = -1;
  /** Only the answer to the latest attempt counts. */
  private attempt = 0;
  private attemptsOnConnection = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly recorder: Recorder;
  private readonly hooks: BrowserHooks;

  constructor(
    readonly id: number,
    public qr: GeneData,
    ctx: BrowserContext,
  ) {
    const { recorder, hooks } = ctx;
    const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
      // The WebSocket transport (what the SDK tries first), noting the instance behind nginx.
      transports: [TracedWebSocket],
      forceNew: true,
      ...SDK_RECONNECTION,
      localAddress: ctx.localAddress(id),
    };
    const socket: BrowserSocket = io(ctx.url, options);
    this.socket = socket;
    this.recorder = recorder;
    this.hooks = hooks;
    socket.on('connect', () => {
      this.connects += 1;
      this.lastConnectAt = Date.now();
      const transport = socket.io.engine.transport;
      this.upstreams.push(transport instanceof TracedWebSocket ? transport.upstream : null);
      if (this.upstreams.length > 8) this.upstreams.shift();
      this.attemptsOnConnection = 0;
      void this.subscribe();
    });
    socket.on('disconnect', (reason) => {
      this.disconnects += 1;
      this.lastDisconnectAt = Date.now();
      this.attempt += 1;
      clearTimeout(this.retryTimer);
      if (this.closed) return;
      hooks.onDisconnect(this, reason);
      // As realtime.ts: a server-side disconnect is not retried by socket.io-client itself.
      if (reason === 'io server disconnect') socket.connect();
      this.notify();
    });
    socket.on('connect_error', (error) => {
      if (!this.closed) recorder.connectError(error.message);
    });
    socket.on(EVENTS.scanned, (event) => {
      if (event.random !== this.qr.random) return;
      this.pushes.scanned += 1;
      if (this.status === QR_STATUS.PENDING) this.status = QR_STATUS.SCANNED;
      this.notify();
    });
    socket.on(EVENTS.confirmed, (event) => {
      if (event.random !== this.qr.random) return;
      this.pushes.confirmed += 1;
      this.status = QR_STATUS.CONFIRMED;
      this.deliver(event.ticket, 'push');
    });
    socket.on(EVENTS.cancelled, (event) => {
      if (event.random !== this.qr.random) return;
      this.status = QR_STATUS.CANCELLED;
      this.notify();
    });
    socket.on(EVENTS.expired, (event) => {
      if (event.random !== this.qr.random) return;
      this.status = QR_STATUS.EXPIRED;
      this.hooks.onExpired(this);
      this.notify();
    });
  }

  /** Connected, and subscribed on this connection. */
  isSubscribed(): boolean {
    return !this.closed && this.socket.connected && this.subscribedOn === this.connects;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Resolves true once `condition()` holds (checked on every change), false after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const check = () => {
        if (condition()) finish(true);
      };
      const timer = setTimeout(() => finish(condition()), timeoutMs);
      this.waiters.add(check);
    });
  }

  /** A new QR in place of an expired one (waiting browsers), subscribed at once. */
  renew(qr: GeneData): void {
    this.qr = qr;
    this.status = QR_STATUS.PENDING;
    this.delivery = null;
    this.subscribedOn = -1;
    this.attemptsOnConnection = 0;
    void this.subscribe();
  }

  /** One more `qr:subscribe` round trip (the final check): the ack, or null after `timeoutMs`. */
  async roundTrip(timeoutMs: number): Promise<Ack<QrSnapshot> | null> {
    if (!this.socket.connected) return null;
    try {
      return await this.socket.timeout(timeoutMs).emitWithAck(EVENTS.subscribe, { random: this.qr.random, secret: this.qr.secret });
    } catch {
      return null;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private deliver(ticket: string, by: Delivery['by']): void {
    if (!this.delivery) this.delivery = { ticket, by, at: Date.now() };
    this.notify();
  }

  private retryLater(ms: number): void {
    const attempt = this.attempt;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (attempt === this.attempt && this.socket.connected) void this.subscribe();
    }, ms);
  }

  private async subscribe(): Promise<void> {
    if (this.closed || !this.socket.connected) return;
    clearTimeout(this.retryTimer);
    const attempt = ++this.attempt;
    const connection = this.connects;
    this.attemptsOnConnection += 1;
    if (this.attemptsOnConnection > MAX_ATTEMPTS_PER_CONNECTION) {
      this.refusedCode = -1;
      this.recorder.refused(-1);
      this.notify();
      return;
    }
    const { random, secret } = this.qr;
    let ack: Ack<QrSnapshot>;
    try {
      ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(EVENTS.subscribe, { random, secret });
    } catch {
      if (this.closed || attempt !== this.attempt) return;
      this.recorder.ackTimeout();
      this.retryLater(RESUBSCRIBE_DELAY_MS);
      return;
    }
    if (this.closed || attempt !== this.attempt || random !== this.qr.random) return;
    if (ack.ok) {
      this.subscribedOn = connection;
      this.lastSubscribedAt = Date.now();
      this.refusedCode = null;
      this.status = ack.data.status;
      if (ack.data.status === QR_STATUS.CONFIRMED && ack.data.ticket) this.deliver(ack.data.ticket, 'snapshot');
      if (ack.data.status === QR_STATUS.EXPIRED) this.hooks.onExpired(this);
      this.hooks.onSubscribed(this);
      this.notify();
    } else if (ack.error.code === 503) {
      this.recorder.subscribeUnavailable(this.upstreams[this.upstreams.length - 1] ?? null);
      this.retryLater(UNAVAILABLE_RETRY_MS);
    } else {
      this.refusedCode = ack.error.code;
      this.recorder.refused(ack.error.code);
      this.notify();
    }
  }
}

/** `POST gene` (retried like any browser request). */
export async function gene(http: SoakHttp): Promise<GeneData> {
  const answer = await http.post<GeneData>(API.gene, {});
  if (answer.body.code !== 200 || !answer.body.data) throw new Error(`gene: code ${answer.body.code} ${answer.body.message}`);
  return answer.body.data;
}

/** A browser with a new QR, once subscribed; rejects (closing it) when refused or not in time. */
export async function openBrowser(ctx: BrowserContext, id: number, timeoutMs: number): Promise<Browser> {
  const browser = new Browser(id, await gene(ctx.http), ctx);
  await browser.until(() => browser.isSubscribed() || browser.refusedCode !== null, timeoutMs);
  if (!browser.isSubscribed()) {
    const why =
      (browser.refusedCode === null ? `not subscribed within ${timeoutMs} ms` : `subscription refused with ${browser.refusedCode}`) +
      ` (socket on ${browser.upstreams.join(' then ') || 'none'})`;
    browser.close();
    throw new Error(`browser ${id}: ${why}`);
  }
  return browser;
}
