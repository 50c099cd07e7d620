/**
 * @module
 * The app model: a website (relying party) allowed to show qrlogin QR codes, its options, and
 * the origin patterns it lists. Pure: configuration parses into it (server/config), the
 * origin policy (server/edge) and the services read it.
 */

/** A website (relying party) allowed to show qrlogin QR codes. */
export interface AppConfig {
  id: string;
  name: string;
  /** SHA-256 of the app secret used for server-side ticket exchange. */
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
