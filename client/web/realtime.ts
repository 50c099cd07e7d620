/**
 * @module
 * The Socket.IO side of a widget: one {@link RealtimeChannel} (one socket, websocket first)
 * per widget for as long as it runs, and on it one {@link RealtimeSubscription} per QR at a
 * time. A subscription subscribes with the browser secret on every `connect` (first and each
 * reconnect) and reports snapshots, pushes and whether it is live; closed, it unsubscribes and
 * leaves the socket to the next QR, which the channel can create over the same socket
 * (`qr:create`) instead of a `gene` request and a new WebSocket handshake. It decides nothing:
 * the cycle applies what it hears.
 */
import { io, type Socket } from 'socket.io-client';
import type { AckError, GeneData, QrPush, QrSnapshot, ServerToClientEvents, ClientToServerEvents } from '../../shared';
import { EVENTS } from '../../shared';

/** How long to wait for a `qr:subscribe` or `qr:create` ack. */
const ACK_TIMEOUT_MS = 5000;
/** Pause before subscribing again after a timed-out ack on a live socket. */
const RESUBSCRIBE_DELAY_MS = 2000;

type WidgetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the cycle wants to hear. */
export interface RealtimeListener {
  /** Subscribed: the subscription is live and this is the current state. */
  onSnapshot(snapshot: QrSnapshot): void;
  /** A pushed state change for the subscribed QR. */
  onPush(event: QrPush): void;
  /** No live subscription any more (connect error, disconnect, refused subscribe). */
  onDown(): void;
  /** The server refused the subscription (e.g. 2241 / 2242). */
  onRefused(error: AckError['error']): void;
}

/** One widget's socket, opened at the first subscription and kept until {@link close}. */
export class RealtimeChannel {
  private socket: WidgetSocket | null = null;

  constructor(private readonly host: string) {}

  /** The socket, opened on first use. */
  open(): WidgetSocket {
    if (this.socket) return this.socket;
    const socket: WidgetSocket = io(this.host, {
      transports: ['websocket', 'polling'],
      // Where websockets are blocked, fall back to HTTP long-polling instead of failing.
      tryAllTransports: true,
      reconnection: true,
      // A socket of its own: two widgets never share listeners or a connection.
      forceNew: true,
    });
    socket.on('disconnect', (reason) => {
      // The server dropped us on purpose (e.g. a restart); automatic reconnection does not
      // cover that case, so reconnect ourselves.
      if (reason === 'io server disconnect' && this.socket === socket) socket.connect();
    });
    this.socket = socket;
    return socket;
  }

  /**
   * A new QR over the connected socket (`qr:create`, which also subscribes to it); null when
   * the socket is not connected or the server did not answer it (the caller asks `gene`, whose
   * answer says what is wrong).
   */
  async create(appId: string | undefined, customData: Record<string, unknown> | undefined): Promise<GeneData | null> {
    const socket = this.socket;
    if (!socket?.connected) return null;
    try {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(EVENTS.create, { ...(appId ? { appId } : {}), ...(customData ? { customData } : {}) });
      return ack.ok ? ack.data : null;
    } catch {
      return null;
    }
  }

  subscribe(random: string, secret: string, listener: RealtimeListener): RealtimeSubscription {
    return new RealtimeSubscription(this.open(), random, secret, listener);
  }

  /** Disconnects for good (the widget stopped). */
  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.removeAllListeners();
    socket?.disconnect();
  }
}

/** One QR's subscription on the channel's socket; {@link close} ends it for good. */
export class RealtimeSubscription {
  private closed = false;
  /** Only the answer to the latest subscribe attempt counts. */
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly socket: WidgetSocket,
    private readonly random: string,
    private readonly secret: string,
    private readonly listener: RealtimeListener,
  ) {
    const onConnect = () => void this.subscribe();
    const onDown = () => this.down();
    const push = (event: QrPush) => {
      if (!this.closed && event.random === this.random) this.listener.onPush(event);
    };
    socket.on('connect', onConnect);
    socket.on('connect_error', onDown);
    socket.on('disconnect', onDown);
    for (const event of [EVENTS.scanned, EVENTS.confirmed, EVENTS.cancelled, EVENTS.expired] as const) {
      socket.on(event, push);
      this.off.push(() => socket.off(event, push));
    }
    this.off.push(
      () => socket.off('connect', onConnect),
      () => socket.off('connect_error', onDown),
      () => socket.off('disconnect', onDown),
    );
    // A socket already connected (a QR after the first) subscribes at once.
    if (socket.connected) void this.subscribe();
  }

  /** Unsubscribes and drops its listeners, leaving the socket open; nothing is reported afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const off of this.off) off();
    if (this.socket.connected) this.socket.emit(EVENTS.unsubscribe, { random: this.random }, () => undefined);
  }

  private down(): void {
    if (this.closed) return;
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.listener.onDown();
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    const attempt = ++this.attempt;
    try {
      const ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(EVENTS.subscribe, { random: this.random, secret: this.secret });
      if (this.closed || attempt !== this.attempt) return;
      if (ack.ok) {
        if (ack.data.random === this.random) this.listener.onSnapshot(ack.data);
      } else {
        this.listener.onDown();
        this.listener.onRefused(ack.error);
      }
    } catch {
      // No ack in time: poll meanwhile and try again while the socket is up.
      if (this.closed || attempt !== this.attempt) return;
      this.listener.onDown();
      if (this.socket.connected) {
        this.retryTimer = setTimeout(() => void this.subscribe(), RESUBSCRIBE_DELAY_MS);
      }
    }
  }
}
