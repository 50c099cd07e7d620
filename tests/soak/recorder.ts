/**
 * @module
 * What every part of a soak counts, in one place: retries by endpoint and cause, each 503 seen
 * (over HTTP or in a socket ack, with its time), subscriptions refused by code, socket ack
 * timeouts and connect errors. Counters only grow; a phase (the reconnect storm) reads them
 * before and after.
 */

/** Why a request was sent again. */
export type RetryCause = 'connection' | 'timeout' | 'http-502' | 'http-503' | 'http-504' | 'unavailable';

export interface RecorderCounts {
  /** `endpoint cause` → retries. */
  retries: Record<string, number>;
  /** Subscriptions refused, by code (503 and 429 are retried and not counted here). */
  refused: Record<string, number>;
  /** `qr:subscribe` acks that did not come within the SDK's 5 s. */
  ackTimeouts: number;
  /** Socket `connect_error`s by message (`timeout` is a connect timeout). */
  connectErrors: Record<string, number>;
  /** Answers with code 503 (HTTP envelopes and socket acks). */
  unavailable: number;
}

export class Recorder {
  /** When the recorder was made: times in the report are relative to it. */
  readonly t0 = Date.now();
  private readonly retries = new Map<string, number>();
  private readonly refusedByCode = new Map<string, number>();
  private readonly connectErrorsByMessage = new Map<string, number>();
  private ackTimeoutCount = 0;
  /** When each 503 was seen (epoch ms). */
  readonly unavailableAt: number[] = [];
  /** 503s by the instance that answered them (`127.0.0.1:port`, or `?`): count, first and last time. */
  readonly unavailableBy = new Map<string, { count: number; first: number; last: number }>();

  /** `upstream`: the instance that answered (503s are counted by it). */
  retry(endpoint: string, cause: RetryCause, upstream: string | null = null): void {
    bump(this.retries, `${endpoint} ${cause}`);
    if (cause === 'unavailable') this.unavailable(upstream);
  }

  /** A subscribe ack with code 503 from the instance holding the socket: retried by the browser. */
  subscribeUnavailable(upstream: string | null): void {
    bump(this.retries, 'qr:subscribe unavailable');
    this.unavailable(upstream);
  }

  private unavailable(upstream: string | null): void {
    const at = Date.now();
    this.unavailableAt.push(at);
    const seen = this.unavailableBy.get(upstream ?? '?');
    if (seen) Object.assign(seen, { count: seen.count + 1, last: at });
    else this.unavailableBy.set(upstream ?? '?', { count: 1, first: at, last: at });
  }

  refused(code: number): void {
    bump(this.refusedByCode, String(code));
  }

  ackTimeout(): void {
    this.ackTimeoutCount += 1;
  }

  connectError(message: string): void {
    bump(this.connectErrorsByMessage, message);
  }

  counts(): RecorderCounts {
    return {
      retries: Object.fromEntries(this.retries),
      refused: Object.fromEntries(this.refusedByCode),
      ackTimeouts: this.ackTimeoutCount,
      connectErrors: Object.fromEntries(this.connectErrorsByMessage),
      unavailable: this.unavailableAt.length,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** `after − before`, key by key (keys only in `after` count from zero). */
export function diff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) out[key] = delta;
  }
  return out;
}

export const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, value) => sum + value, 0);
