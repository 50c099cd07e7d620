/**
 * @module
 * The app model: a website (relying party) allowed to show qrlogin QR codes, its options, and
 * the origin patterns it lists; an app with redirect URIs is also an OpenID Connect client.
 * Pure: configuration parses into it (server/config), the origin policy (server/edge) and the
 * services read it.
 */
import type { WebhookEventType } from './webhooks';

/** A website (relying party) allowed to show qrlogin QR codes. */
export interface AppConfig {
  id: string;
  name: string;
  /**
   * SHA-256 of the app secret used for server-side ticket exchange (and, for an OIDC client
   * that is not public, at the token endpoint). A public client without a secret has the hash
   * of a random value nobody keeps, which no secret matches.
   */
  secretHash: string;
  /**
   * Browser origins allowed to use this app: exact (`https://shop.example`) or any port of a
   * host (`http://localhost:*`). The qrlogin server's own origin is always allowed.
   */
  origins: readonly string[];
  /** Tickets reach only the browser that proves the QR's secret. @default true */
  bindTicketToBrowser: boolean;
  /** The browser may exchange the ticket itself (with the secret), not only the app's backend. */
  allowBrowserExchange: boolean;
  /** The website sees the scanner's nickname and photo once scanned. @default false */
  showScannerOnWeb: boolean;
  /** QR lifetime in seconds. @default QR_TTL_SECONDS */
  qrTtlSeconds: number;
  /** Ticket lifetime in seconds. @default TICKET_TTL_SECONDS */
  ticketTtlSeconds: number;
  /** The browser shows a 2-digit code the phone user must pick among three. @default false */
  numberMatching: boolean;
  /**
   * OpenID Connect redirect URIs, compared by exact match (see `redirectUriProblem`). A
   * non-empty list makes the app an OIDC client: client id = app id, secret = app secret
   * (none for a `publicClient`).
   * @default []
   */
  redirectUris: readonly string[];
  /** Where RP-initiated logout may return to (same rules as `redirectUris`). @default [] */
  postLogoutRedirectUris: readonly string[];
  /**
   * OIDC Back-Channel Logout 1.0 endpoint, an http(s) URL: where the app's backend is told of
   * a sign-out from the phone, of a browser signed in through the provider or by the widget.
   */
  backchannelLogoutUri?: string;
  /**
   * A public OIDC client (a single-page or native app that cannot keep a secret): no client
   * authentication at the token endpoint (`token_endpoint_auth_method: none`), the code bound
   * by PKCE S256 alone; it needs `redirectUris`. Absent means false.
   */
  publicClient?: boolean;
  /**
   * Where the app's backend receives signed events (Standard Webhooks: server/webhooks), an
   * absolute http(s) URL (`https` in production except on loopback hosts). Absent: no webhooks.
   */
  webhookUrl?: string;
  /** The signing secret of `webhookUrl` (`whsec_` + base64 of 24–64 bytes); never logged or echoed. */
  webhookSecret?: string;
  /** The event types sent to `webhookUrl`. @default every type (WEBHOOK_EVENT_TYPES) */
  webhookEvents?: readonly WebhookEventType[];
  /**
   * Deliver to private, loopback or link-local addresses in production too (a webhook to a
   * service on the same network). Off, production refuses such targets at start and, once
   * the name is resolved, at each delivery (SSRF). Absent means false.
   */
  webhookAllowPrivate?: boolean;
}

/** Whether `origin` is allowed by one of an app's origin patterns. */
export function originAllowed(app: AppConfig, origin: string): boolean {
  return app.origins.some((pattern) => {
    if (!pattern.endsWith(':*')) return pattern === origin;
    const host = pattern.slice(0, -2); // "http://localhost"
    if (origin === host) return true; // the scheme's default port
    if (!origin.startsWith(`${host}:`)) return false;
    const port = origin.slice(host.length + 1);
    return /^[1-9]\d{0,4}$/.test(port) && Number(port) <= 65_535;
  });
}

/**
 * `scheme://host[:port]` or `scheme://host:*`, http(s) only, nothing after the host; or the
 * literal `null` (the origin of sandboxed iframes and `file:` pages), for an app that really
 * is shown there: any page can make a `null` origin, so listing it admits every website.
 */
export function isOriginPattern(pattern: string): boolean {
  if (pattern === 'null') return true;
  const wildcard = pattern.endsWith(':*');
  const candidate = wildcard ? pattern.slice(0, -2) : pattern;
  // No wildcard hosts: `*` is allowed only as the whole port.
  if (candidate.includes('*')) return false;
  try {
    const url = new URL(candidate);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    // An origin serializes to exactly itself: no path, query, credentials or trailing slash.
    if (url.origin !== candidate) return false;
    return !(wildcard && url.port !== '');
  } catch {
    return false;
  }
}

/** Whether the app is an OpenID Connect client (it lists redirect URIs). */
export function isOidcClient(app: Pick<AppConfig, 'redirectUris'>): boolean {
  return app.redirectUris.length > 0;
}

/** The loopback host names (RFC 8252 §7.3; `URL.hostname` writes IPv6 in brackets). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A private-use URI scheme (RFC 8252 §7.1): a reversed domain name, so it has a dot. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+:$/;

/**
 * Why `uri` cannot be a redirect URI, or null when it can. `web` allows only http(s) (a
 * back-channel logout endpoint); otherwise a private-use scheme of a native app, like
 * `com.example.app:/callback` (one slash after the scheme, RFC 8252 §7.1), is allowed too.
 * The reason never quotes the URI.
 */
export function redirectUriProblem(uri: string, only: 'any' | 'web' = 'any'): string | null {
  if (/\s/.test(uri)) return 'must not contain spaces';
  if (uri.includes('*')) return 'no wildcards: the URI is compared by exact match';
  if (uri.includes('#')) return 'must not have a fragment (#)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL, like https://shop.example/callback';
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    return url.username || url.password ? 'must not contain a user or password' : null;
  }
  if (only === 'web') return 'must be an http or https URL';
  if (!PRIVATE_USE_SCHEME.test(url.protocol)) {
    return 'must be an http or https URL, or a private-use scheme of a native app based on a reversed domain name, like com.example.app:/callback';
  }
  const rest = uri.slice(url.protocol.length);
  if (!rest.startsWith('/') || rest.startsWith('//')) {
    return 'a private-use scheme takes one slash after the colon, like com.example.app:/callback (RFC 8252 §7.1)';
  }
  return null;
}

/** Whether `uri` is a private-use scheme redirect URI (a native app's, RFC 8252 §7.1). */
export function isPrivateUseUri(uri: string): boolean {
  const scheme = /^[^:/?#]+:/.exec(uri)?.[0].toLowerCase();
  return scheme !== undefined && PRIVATE_USE_SCHEME.test(scheme);
}

/** Whether `uri` is on a loopback host (`localhost`, `127.0.0.1`, `[::1]`). */
export function isLoopbackUri(uri: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(uri).hostname);
  } catch {
    return false;
  }
}

/**
 * Whether production refuses `uri`: plain http on a host that is not loopback (a redirect
 * or logout over http could be read or changed on the way).
 */
export function needsHttps(uri: string): boolean {
  return uri.toLowerCase().startsWith('http:') && !isLoopbackUri(uri);
}

/**
 * The OIDC `application_type`: `native` when a redirect or post-logout URI uses a private-use
 * scheme, else `web`. A native client's http URIs must be loopback and its https URIs must
 * not be (RFC 8252 §7.2–7.3; oidc-provider checks the same).
 */
export function oidcApplicationType(app: Pick<AppConfig, 'redirectUris' | 'postLogoutRedirectUris'>): 'native' | 'web' {
  return [...app.redirectUris, ...app.postLogoutRedirectUris].some(isPrivateUseUri) ? 'native' : 'web';
}

/** Why `uri` cannot be a URI of a native client (see `oidcApplicationType`), or null. */
export function nativeUriProblem(uri: string): string | null {
  if (isPrivateUseUri(uri)) return null;
  const loopback = isLoopbackUri(uri);
  if (uri.toLowerCase().startsWith('http:') && !loopback)
    return 'an app with a private-use scheme URI is a native app: its http URIs must be on a loopback host (localhost, 127.0.0.1, [::1])';
  if (uri.toLowerCase().startsWith('https:') && loopback)
    return 'an app with a private-use scheme URI is a native app: its https URIs must not be on a loopback host (use http there)';
  return null;
}
