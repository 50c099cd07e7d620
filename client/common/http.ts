/**
 * @module
 * The one HTTP helper both SDKs share: sends a JSON request to a qrlogin server and unwraps
 * the `{code, message, data}` envelope (PROTOCOL §2), turning every failure into a
 * {@link QrLoginError}.
 */
import type { Envelope, ErrorCode, Lang, QrStateReason } from '../../shared';
import { HEADERS, isQrStateReason } from '../../shared';

/**
 * A {@link QrLoginError}'s `code`: one of the envelope codes of PROTOCOL §2 (the values of
 * `QR_LOGIN_ERROR_CODES`), or `0` when the server could not be reached or did not answer
 * with an envelope.
 */
export type QrLoginErrorCode = ErrorCode | 0;

/**
 * Every failure of an SDK call. `code` is the envelope's code (PROTOCOL §2 table, e.g. 2241
 * "QR code does not exist"), or `0` when the server could not be reached or did not answer
 * with an envelope; `status` is the HTTP status of the answer (`0` when there was none, or
 * when the SDK refused the call itself, e.g. wrong arguments: code 400). `message` is for
 * developers and logs; it never holds a token, a secret or a password. An app shows people
 * its own sentence, chosen by `code`.
 */
export class QrLoginError extends Error {
  override readonly name = 'QrLoginError';
  /** Envelope code, or `0` for a network failure. */
  readonly code: QrLoginErrorCode;
  /** HTTP status of the answer (200 for a business error in the envelope), or `0` without one. */
  readonly status: number;
  /**
   * Why the QR's state refused the action, for code 2243 (`QR_INVALID_STATE`): e.g.
   * `already_cancelled`, `scanned_by_another_user`, `wrong_match` (`QR_STATE_REASONS`).
   */
  readonly reason: QrStateReason | undefined;

  constructor(code: number, message: string, status = 0, reason?: QrStateReason) {
    super(message);
    this.code = code as QrLoginErrorCode;
    this.status = status;
    this.reason = reason;
  }
}

/** The `fetch` an SDK uses; injectable for tests and non-browser runtimes. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** What every request of one SDK client shares. */
export interface HttpContext {
  /** Origin of the qrlogin server, without a trailing slash. */
  host: string;
  fetch: FetchLike;
  lang: Lang;
  /** Sent as `x-authing-app-id` when set. */
  appId?: string | undefined;
  /** `include` for the web SDK (the secret cookie), else the fetch default. */
  credentials?: 'include' | 'omit' | 'same-origin' | undefined;
}

/** One request: method, path (with query) and optional JSON body / extra headers. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string | undefined>;
  /** Aborts the request (e.g. `AbortSignal.timeout(ms)`): a network failure, code `0`. */
  signal?: AbortSignal;
}

/** `host` without trailing slashes; `fallback` (e.g. `location.origin`) when missing. */
export function normalizeHost(host: string | undefined, fallback?: string): string {
  const value = host ?? fallback;
  if (!value) throw new TypeError('qrlogin: `host` is required outside a browser page');
  return value.replace(/\/+$/, '');
}

/** The page's `fetch`, bound so that browsers do not refuse it as an "illegal invocation". */
export function defaultFetch(): FetchLike {
  return (input, init) => {
    if (typeof globalThis.fetch !== 'function') {
      return Promise.reject(new TypeError('fetch is not available; pass options.fetch'));
    }
    return globalThis.fetch(input, init);
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

/**
 * Sends a request and returns the envelope's `data`.
 *
 * @throws {QrLoginError} `code !== 200` (with the server's message), or code `0` when the
 *   network failed or the answer was not an envelope.
 */
export async function request<T>(ctx: HttpContext, spec: RequestSpec): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', [HEADERS.lang]: ctx.lang };
  if (ctx.appId) headers[HEADERS.appId] = ctx.appId;
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (value !== undefined) headers[name] = value;
  }
  const init: RequestInit = { method: spec.method, headers };
  if (spec.body !== undefined) init.body = JSON.stringify(spec.body);
  if (ctx.credentials) init.credentials = ctx.credentials;
  if (spec.signal) init.signal = spec.signal;

  let response: Response;
  try {
    response = await ctx.fetch(ctx.host + spec.path, init);
  } catch (error) {
    throw new QrLoginError(0, `Network error: ${describe(error)}`);
  }

  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new QrLoginError(0, `Unexpected answer from the server (HTTP ${response.status})`, response.status);
  }
  if (!isRecord(body) || typeof body.code !== 'number') {
    throw new QrLoginError(0, `Unexpected answer from the server (HTTP ${response.status})`, response.status);
  }
  const envelope = body as unknown as Envelope<T>;
  if (envelope.code !== 200) {
    const message = typeof envelope.message === 'string' && envelope.message ? envelope.message : `Error ${envelope.code}`;
    const reason = isRecord(envelope.data) && isQrStateReason(envelope.data.reason) ? envelope.data.reason : undefined;
    throw new QrLoginError(envelope.code, message, response.status, reason);
  }
  if (envelope.data === null || envelope.data === undefined) {
    throw new QrLoginError(0, 'Unexpected answer from the server (no data)', response.status);
  }
  return envelope.data;
}
