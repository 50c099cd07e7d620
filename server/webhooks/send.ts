/**
 * @module
 * One webhook attempt: a POST of the JSON body to the app's endpoint, within a deadline that
 * covers resolving the name, connecting and the answer's status line. Redirects are not
 * followed (a 3xx is a failure). Where private targets are refused (production, unless the
 * app allows them), the name is resolved here, every address checked, and the connection made
 * to the checked address (the request's `lookup` returns it): a name that resolves elsewhere
 * a moment later (DNS rebinding) changes nothing. An IP literal is checked as it is.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { type ClientRequest, type RequestOptions, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { hostOf, isPrivateAddress } from '../domain/webhooks';

/** Resolves a host name to its addresses (`dns.lookup` with `all`; tests may map names). */
export type Lookup = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface SendOptions {
  timeoutMs: number;
  /** Refuse private, loopback and link-local addresses (SSRF). */
  refusePrivate: boolean;
  lookup: Lookup;
  /** Aborts the attempt (shutdown). */
  signal: AbortSignal;
}

export type SendResult =
  | { ok: true; status: number }
  /** `refused`: the target is a private address; `aborted`: stopped by `signal` (not the receiver's fault). */
  | { ok: false; problem: string; refused?: true; aborted?: true };

const USER_AGENT = 'qrlogin-webhooks';

/** Rejects with `signal`'s reason once it aborts (a lookup cannot be cancelled, only left behind). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function sendWebhook(uri: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  // One controller per attempt, aborted by the deadline or by shutdown.
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(new Error('timed out')), options.timeoutMs);
  const onClose = () => attempt.abort(new Error('shutting down'));
  if (options.signal.aborted) onClose();
  options.signal.addEventListener('abort', onClose, { once: true });
  const failure = (error: unknown): SendResult => {
    if (options.signal.aborted) return { ok: false, problem: 'shutting down', aborted: true };
    if (attempt.signal.aborted) return { ok: false, problem: `timed out after ${options.timeoutMs} ms` };
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: `unreachable (${code ?? (error instanceof Error ? error.message : 'network error')})` };
  };
  try {
    const url = new URL(uri);
    const host = hostOf(url);
    let target: { address: string; family: number };
    try {
      const found = isIP(host) ? [{ address: host, family: isIP(host) }] : await untilAborted(options.lookup(host), attempt.signal);
      const allowed = options.refusePrivate ? found.filter(({ address }) => !isPrivateAddress(address)) : found;
      const first = allowed[0];
      if (!first) {
        return found.length === 0
          ? { ok: false, problem: `unreachable (${host} has no address)` }
          : { ok: false, problem: `refused: ${host} is a private, loopback or link-local address (webhookAllowPrivate)`, refused: true };
      }
      target = first;
    } catch (error) {
      return failure(error);
    }
    return await post(url, host, target, body, headers, attempt.signal, failure);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onClose);
  }
}

function post(
  url: URL,
  host: string,
  target: { address: string; family: number },
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  failure: (error: unknown) => SendResult,
): Promise<SendResult> {
  // The connection goes to the address checked above, whatever the name resolves to now.
  const lookup: RequestOptions['lookup'] = (_hostname, options, callback) => {
    const done = callback as (error: null, address: string | { address: string; family: number }[], family?: number) => void;
    if ((options as { all?: boolean }).all) done(null, [target]);
    else done(null, target.address, target.family);
  };
  const options: RequestOptions & { servername?: string } = {
    protocol: url.protocol,
    hostname: host,
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    // A fresh connection per attempt: nothing pooled from an earlier resolution.
    agent: false,
    lookup,
    signal,
    headers: {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': USER_AGENT,
    },
    ...(url.protocol === 'https:' && isIP(host) === 0 ? { servername: host } : {}),
  };
  return new Promise<SendResult>((resolve) => {
    let request: ClientRequest;
    try {
      request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options);
    } catch (error) {
      resolve(failure(error));
      return;
    }
    request.on('response', (response) => {
      // The body is not read for anything: drained, and cut if it never ends.
      response.on('error', () => undefined);
      response.resume();
      const cut = setTimeout(() => request.destroy(), 5_000);
      cut.unref();
      response.once('close', () => clearTimeout(cut));
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, problem: redirectOrStatus(status) });
    });
    request.on('error', (error) => resolve(failure(error)));
    request.end(body);
  });
}

function redirectOrStatus(status: number): string {
  return status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}`;
}
