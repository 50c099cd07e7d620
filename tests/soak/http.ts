/**
 * @module
 * The soak's HTTP client (phones and browsers, through the load balancer): JSON envelopes,
 * and a bounded retry of what a real client retries — a connection error, no answer within
 * 10 s, HTTP 502/503/504 from the balancer, or envelope code 503 (UNAVAILABLE). Each retry is
 * counted by cause. A retried request's first outcome is unknown (it may have been carried
 * out), which the answer says (`unknownBefore`), so that a non-idempotent caller (confirm,
 * userinfo) can judge a later refusal.
 */
import type { Envelope } from '../../shared/http';
import type { Recorder, RetryCause } from './recorder';
import { lastUpstream } from './traced-transport';

/** Attempts per call, and the whole call's time budget. */
export const MAX_ATTEMPTS = 10;
const CALL_BUDGET_MS = 25_000;
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface Answer<T> {
  body: Envelope<T>;
  /** When the answer came (epoch ms). */
  at: number;
  attempts: number;
  /** An earlier attempt may have been carried out: its outcome is unknown. */
  unknownBefore: boolean;
  /** The instance that answered (nginx's `X-Qrlogin-Upstream`), when known. */
  upstream: string | null;
}

export class GaveUp extends Error {
  override readonly name = 'GaveUp';
  constructor(
    readonly endpoint: string,
    readonly causes: readonly RetryCause[],
  ) {
    super(`${endpoint}: gave up after ${causes.length} attempts (${causes.join(', ')})`);
  }
}

/** An answer that is not an envelope (and not a balancer's 502/503/504): never retried. */
export class NotAnEnvelope extends Error {
  override readonly name = 'NotAnEnvelope';
}

export interface SoakHttp {
  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer<T>>;
  get<T>(path: string, headers?: Record<string, string>): Promise<Answer<T>>;
}

/** Backoff before attempt `n` (1-based retries): 100 ms doubling to 2 s, ±50 % jitter. */
const backoff = (n: number): number => Math.min(2_000, 100 * 2 ** (n - 1)) * (0.5 + Math.random());

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function soakHttp(baseUrl: string, recorder: Recorder): SoakHttp {
  const send = async <T>(method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string>): Promise<Answer<T>> => {
    const endpoint = path.split('?')[0] ?? path;
    const started = Date.now();
    const causes: RetryCause[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      if (attempt > 1) {
        await sleep(backoff(attempt - 1));
        if (Date.now() - started > CALL_BUDGET_MS) break;
      }
      const result = await once<T>(method, `${baseUrl}${path}`, body, headers).then(
        (answered) => answered,
        (error: unknown): Retry => {
          if (error instanceof NotAnEnvelope) throw error;
          return { cause: error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection', upstream: null };
        },
      );
      if ('body' in result) return { ...result, at: Date.now(), attempts: attempt, unknownBefore: causes.length > 0 };
      causes.push(result.cause);
      recorder.retry(endpoint, result.cause, result.upstream);
    }
    throw new GaveUp(endpoint, causes);
  };
  return {
    post: (path, body, headers = {}) => send('POST', path, body, headers),
    get: (path, headers = {}) => send('GET', path, undefined, headers),
  };
}

/** Why an attempt is retried, and the instance that answered it (when one did). */
interface Retry {
  cause: RetryCause;
  upstream: string | null;
}

/** One attempt: the envelope (and who answered), or the cause to retry for. */
async function once<T>(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ body: Envelope<T>; upstream: string | null } | Retry> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
  });
  const text = await response.text();
  const upstream = lastUpstream(response.headers.get('x-qrlogin-upstream'));
  if (response.status === 502 || response.status === 503 || response.status === 504) return { cause: `http-${response.status}`, upstream };
  let parsed: Envelope<T>;
  try {
    parsed = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new NotAnEnvelope(`${method} ${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return parsed.code === 503 ? { cause: 'unavailable', upstream } : { body: parsed, upstream };
}
