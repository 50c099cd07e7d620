/**
 * @module
 * What a request says about its sender, for HTTP and socket handshakes alike: language,
 * origin, bearer token, client IP (behind trusted proxies) and the requester summary the
 * phone shows before approving.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import Bowser from 'bowser';
import proxyAddr from 'proxy-addr';
import type { Lang } from '../../shared/errors';
import { HEADERS } from '../../shared/http';
import type { RequesterInfo } from '../domain/qr-session';

const header = (headers: IncomingHttpHeaders, name: string): string | null => {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
};

export function langOf(headers: IncomingHttpHeaders): Lang {
  return header(headers, HEADERS.lang)?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * The page's `Origin`, exactly as sent (`"null"` included: that is a browser too); null when
 * there is no `Origin` header (not a web page). Judged by edge/origin-policy.ts.
 */
export function originOf(headers: IncomingHttpHeaders): string | null {
  return header(headers, 'origin');
}

/** `Authorization: Bearer X`, or a bare `Authorization: X` (Authing's phone SDKs send that). */
export function bearerOf(headers: IncomingHttpHeaders): string | null {
  const value = header(headers, 'authorization')?.trim();
  if (!value) return null;
  const match = /^Bearer\s+(.+)$/i.exec(value);
  return (match ? match[1] : value)?.trim() || null;
}

export function appIdOf(headers: IncomingHttpHeaders): string | null {
  return header(headers, HEADERS.appId);
}

export function secretHeaderOf(headers: IncomingHttpHeaders): string | null {
  return header(headers, HEADERS.secret);
}

export type TrustFunction = ReturnType<typeof proxyAddr.compile>;

/**
 * The client address of a raw request, honouring `X-Forwarded-For` from trusted proxies only;
 * `''` when there is none (the client reset the connection before it was read: proxy-addr
 * then has no socket address, whatever its types say).
 */
export function clientIp(req: IncomingMessage, trust: TrustFunction): string {
  return (proxyAddr(req, trust) as string | undefined) ?? '';
}

/**
 * `https` or `http`: the connection's own, or the first `X-Forwarded-Proto` when the peer is a
 * trusted proxy (exactly Express's `req.protocol`).
 */
export function protocolOf(req: IncomingMessage, trust: TrustFunction): 'https' | 'http' {
  const own = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  if (!trust(req.socket.remoteAddress ?? '', 0)) return own;
  const forwarded = header(req.headers, 'x-forwarded-proto');
  if (forwarded === null) return own;
  return forwarded.split(',')[0]?.trim() === 'https' ? 'https' : 'http';
}

const MAX_UA = 512;

/** The requester summary (PROTOCOL §3 `scanned`): parsed once, when the QR is created. */
export function requesterOf(headers: IncomingHttpHeaders, ip: string): RequesterInfo {
  const userAgent = (header(headers, 'user-agent') ?? '').slice(0, MAX_UA);
  const parsed = userAgent ? Bowser.parse(userAgent) : undefined;
  const name = (part?: { name?: string; version?: string; versionName?: string }) =>
    part?.name ? [part.name, part.versionName ?? part.version?.split('.')[0]].filter(Boolean).join(' ') : 'unknown';
  return {
    ip,
    userAgent,
    browser: name(parsed?.browser),
    os: name(parsed?.os),
    origin: originOf(headers),
  };
}
