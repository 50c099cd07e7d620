/**
 * @module
 * The Socket.IO side of one QR session: connects (websocket first), subscribes with the
 * browser secret on every `connect` (first and each reconnect), and reports snapshots, pushes
 * and whether the subscription is live. It decides nothing: the session applies what it hears.
 */
import { io, type Socket } from 'socket.io-client';
import type { AckError, QrPush, QrSnapshot, ServerToClientEvents, ClientToServerEvents } from '../../shared';
import { EVENTS } from '../../shared';

/** How long to wait for a `qr:subscribe` ack. */
const SUBSCRIBE_TIMEOUT_MS = 5000;
/** Pause before subscribing again after a timed-out ack on a live socket. */
const RESUBSCRIBE_DELAY_MS = 2000;

/** What the session wants to hear. */
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

/** One socket subscribed to one QR; {@link close} ends it for good. */
export class RealtimeSubscription {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private closed = false;
  /** Only the answer to the latest subscribe attempt counts. */
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    host: string,
    private readonly random: string,
    private readonly secret: string,
    private readonly listener: RealtimeListener,
  ) {
    this.socket = io(host, {
      transports: ['websocket', 'polling'],
      // Where websockets are blocked, fall back to HTTP long-polling instead of failing.
      tryAllTransports: true,
      reconnection: true,
      // A socket of its own: widgets and refreshes never share listeners or a connection.
      forceNew: true,
    });
    this.socket.on('connect', () => void this.subscribe());
    this.socket.on('connect_error', () => this.down());
    this.socket.on('disconnect', (reason) => {
      this.down();
      // The server dropped us on purpose (e.g. a restart); automatic reconnection does not
      // cover that case, so reconnect ourselves.
      if (reason === 'io server disconnect' && !this.closed) this.socket.connect();
    });
    const push = (event: QrPush) => {
      if (!this.closed && event.random === this.random) this.listener.onPush(event);
    };
    this.socket.on(EVENTS.scanned, push);
    this.socket.on(EVENTS.confirmed, push);
    this.socket.on(EVENTS.cancelled, push);
    this.socket.on(EVENTS.expired, push);
  }

  /** Disconnects and drops every listener; nothing is reported afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
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
      const ack = await this.socket
        .timeout(SUBSCRIBE_TIMEOUT_MS)
        .emitWithAck(EVENTS.subscribe, { random: this.random, secret: this.secret });
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
