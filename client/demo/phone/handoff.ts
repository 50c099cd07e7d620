/**
 * @module
 * A token handed to the demo phone page in its address's fragment: `/mobile#token=<access
 * token>` (URL-encoded), as a company app opens the page in a web view after its own sign-in.
 * The browser never sends a fragment to the server (nor in `Referer`), unlike a query, which
 * would reach server logs; and the page takes it out of the address bar at once, before
 * anything else runs, so it is not left in the history, a bookmark or a shared link. The token
 * is never logged or shown.
 */

/** The parameter of the fragment that carries the token. */
export const TOKEN_PARAM = 'token';

/**
 * The token in the address's fragment, or `null`. When the fragment names one (even empty),
 * it is removed from the address bar with `history.replaceState` (the path, the query and any
 * other fragment parameter stay) before this returns.
 */
export function takeHandedToken(loc: Location = location, hist: History = history): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  if (!params.has(TOKEN_PARAM)) return null;
  const token = params.get(TOKEN_PARAM)?.trim() ?? '';
  params.delete(TOKEN_PARAM);
  const rest = params.toString();
  hist.replaceState(hist.state, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
  return token || null;
}
