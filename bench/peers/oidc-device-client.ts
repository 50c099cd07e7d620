/**
 * @module
 * One complete OAuth 2.0 Device Authorization Grant (RFC 8628) login against the oidc-provider
 * peer (./oidc-device-server.ts), every step over real HTTP: the device asks for a code and polls
 * the token endpoint; a fresh "browser" (its own cookie jar, redirects followed by hand) enters
 * the code on oidc-provider's own verification page and completes its own devInteractions login
 * and consent pages. Over the bench's own HTTP client (bench/lib/http.ts), the one that drives
 * qrlogin too, so both servers are measured with the same client costs.
 */
import { send } from '../lib/http';

const CLIENT_ID = 'bench-device';
const SUCCESS = /<h1>Sign-in Success<\/h1>/;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** More redirects than this in a row means a loop. */
const MAX_REDIRECTS = 10;

/**
 * HTTP requests one {@link deviceFlowLogin} makes:
 *  1. device  POST /device/auth                   → device_code, user_code, verification_uri
 *  2. device  POST /token                         → 400 authorization_pending
 *  3. browser GET  /device                        → code entry form (xsrf)
 *  4. browser POST /device  (xsrf, user_code)     → "Confirm Device" page (xsrf, confirm=yes)
 *  5. browser POST /device  (…, confirm=yes)      → 303 /interaction/:uid
 *  6. browser GET  /interaction/:uid              → devInteractions login form
 *  7. browser POST /interaction/:uid  (login)     → 303 /device/:uid (resume)
 *  8. browser GET  /device/:uid                   → 303 /interaction/:uid2
 *  9. browser GET  /interaction/:uid2             → devInteractions consent form
 * 10. browser POST /interaction/:uid2 (consent)   → 303 /device/:uid2 (resume)
 * 11. browser GET  /device/:uid2                  → "Sign-in Success" page
 * 12. device  POST /token                         → id_token, access_token
 * {@link deviceFlowLogin} checks that it made exactly this many.
 */
export const DEVICE_FLOW_REQUESTS = 12;

/** A tiny browser cookie jar for one host: name → value, honouring Path, Max-Age=0 and past Expires. */
class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookie: string | string[] | undefined, requestUrl: URL): void {
    for (const header of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = defaultPath(requestUrl.pathname);
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const attributeValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            if (attributeValue.startsWith('/')) path = attributeValue;
            break;
          case 'max-age':
            if (Number(attributeValue) <= 0) expired = true;
            break;
          case 'expires':
            if (Date.parse(attributeValue) <= Date.now()) expired = true;
            break;
        }
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string | undefined {
    const matching = [...this.#cookies.values()]
      .filter((cookie) => pathMatches(url.pathname, cookie.path))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }
}

/** RFC 6265 §5.1.4 default-path. */
function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

interface Page {
  url: URL;
  status: number;
  body: string;
}

interface Form {
  action: URL;
  fields: URLSearchParams;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const decodeEntities = (text: string) =>
  text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (_match, dec?: string, hex?: string, named?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return NAMED_ENTITIES[(named ?? '').toLowerCase()] ?? '';
  });

const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return match ? decodeEntities(match[1] ?? match[2] ?? '') : undefined;
};

/** The first POST form on the page whose tags match `which`, with its named inputs' values. */
function findForm(page: Page, which: RegExp, what: string): Form {
  for (const match of page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, formTag = '', inner = ''] = match;
    if (!which.test(match[0])) continue;
    if ((attribute(formTag, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const fields = new URLSearchParams();
    for (const input of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input[0], 'name');
      if (name) fields.set(name, attribute(input[0], 'value') ?? '');
    }
    return { action: new URL(attribute(formTag, 'action') ?? page.url.href, page.url), fields };
  }
  throw new Error(`${what}: no such form at ${page.url.pathname} (HTTP ${page.status}): ${snippet(page.body)}`);
}

const snippet = (text: string) => text.replace(/\s+/g, ' ').slice(0, 300);

function assertPage(page: Page, status: number, marker: RegExp, what: string): void {
  if (page.status !== status || !marker.test(page.body)) {
    throw new Error(
      `${what}: expected HTTP ${status} matching ${marker} at ${page.url.pathname}, got HTTP ${page.status}: ${snippet(page.body)}`,
    );
  }
}

function decodeJwtPart(jwt: string, index: 0 | 1): Record<string, unknown> {
  const part = jwt.split('.')[index];
  if (part === undefined) throw new Error(`id_token is not a JWT: ${jwt.slice(0, 40)}`);
  const decoded: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof decoded !== 'object' || decoded === null) throw new Error('id_token part is not a JSON object');
  return decoded as Record<string, unknown>;
}

/** One complete device-flow login; throws with a clear message on any unexpected answer. */
export async function deviceFlowLogin(
  baseUrl: string,
  login: string,
  browser?: DeviceBrowser,
): Promise<{ idToken: string; accessToken: string; requests: number }> {
  let requests = 0;
  const jar = browser?.jar ?? new CookieJar();
  const fresh = browser === undefined;

  /** The device: form POSTs, JSON answers, no cookies. */
  const devicePost = async (path: string, form: Record<string, string>) => {
    requests += 1;
    const response = await send('POST', new URL(path, baseUrl).href, new URLSearchParams(form).toString(), FORM);
    const { text } = response;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`device POST ${path}: HTTP ${response.status}, not JSON: ${snippet(text)}`);
    }
    return { status: response.status, json };
  };

  /** The browser: one request with the jar, then redirects followed by hand (GET), until a page. */
  const browse = async (url: URL, form?: URLSearchParams): Promise<Page> => {
    let method = form ? 'POST' : 'GET';
    let body: URLSearchParams | undefined = form;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      requests += 1;
      const headers: Record<string, string> = { accept: 'text/html', ...(body ? FORM : {}) };
      const cookie = jar.header(url);
      if (cookie) headers.cookie = cookie;
      const response = await send(method, url.href, body?.toString(), headers);
      jar.store(response.headers['set-cookie'], url);
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && typeof location === 'string') {
        url = new URL(location, url);
        if (url.origin !== new URL(baseUrl).origin) throw new Error(`browser: redirected off the provider to ${url.href}`);
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url, status: response.status, body: response.text };
    }
    throw new Error(`browser: more than ${MAX_REDIRECTS} redirects from ${url.href}`);
  };

  // 1. Device authorization request.
  const authorization = await devicePost('/device/auth', { client_id: CLIENT_ID, scope: 'openid' });
  const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri } = authorization.json;
  if (
    authorization.status !== 200 ||
    typeof deviceCode !== 'string' ||
    typeof userCode !== 'string' ||
    typeof verificationUri !== 'string'
  ) {
    throw new Error(`device authorization: HTTP ${authorization.status} ${JSON.stringify(authorization.json)}`);
  }
  const poll = () => devicePost('/token', { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: CLIENT_ID });

  // 2. One poll before the approval: pending.
  const pending = await poll();
  if (pending.status !== 400 || pending.json.error !== 'authorization_pending') {
    throw new Error(
      `poll before approval: expected HTTP 400 authorization_pending, got HTTP ${pending.status} ${JSON.stringify(pending.json)}`,
    );
  }

  // 3. The user's browser: enter the code, confirm the device, log in, consent.
  const entry = await browse(new URL(verificationUri));
  assertPage(entry, 200, /id="op\.deviceInputForm"/, 'code entry page');
  const entryForm = findForm(entry, /id="op\.deviceInputForm"/, 'code entry page');
  if (!entryForm.fields.get('xsrf')) throw new Error(`code entry page: form without xsrf token: ${snippet(entry.body)}`);
  entryForm.fields.set('user_code', userCode);

  const confirmation = await browse(entryForm.action, entryForm.fields);
  assertPage(confirmation, 200, /id="op\.deviceConfirmForm"/, 'device confirmation page');
  const confirmForm = findForm(confirmation, /id="op\.deviceConfirmForm"/, 'device confirmation page');
  if (confirmForm.fields.get('confirm') !== 'yes') throw new Error('device confirmation page: form without confirm=yes');

  // A fresh browser logs in, then consents. A browser with a session at the provider (and a
  // grant from an earlier consent) is asked for whatever the provider still needs, maybe nothing.
  let page = await browse(confirmForm.action, confirmForm.fields);
  const asked: string[] = [];
  for (let step = 0; step < 3 && !SUCCESS.test(page.body); step += 1) {
    const prompt = /name="prompt" value="(login|consent)"/.exec(page.body)?.[1];
    if (page.status !== 200 || !prompt) break;
    asked.push(prompt);
    const form = findForm(page, new RegExp(`name="prompt" value="${prompt}"`), `devInteractions ${prompt} page`);
    if (prompt === 'login') {
      form.fields.set('login', login);
      form.fields.set('password', 'any');
    }
    page = await browse(form.action, form.fields);
  }
  assertPage(page, 200, SUCCESS, 'device flow success page');
  if (fresh && asked.join(',') !== 'login,consent')
    throw new Error(`a fresh browser was asked for ${asked.join(',') || 'nothing'}, not login then consent`);

  // 4. One poll after the approval: the tokens.
  const tokens = await poll();
  const { id_token: idToken, access_token: accessToken } = tokens.json;
  if (tokens.status !== 200 || typeof idToken !== 'string' || typeof accessToken !== 'string') {
    throw new Error(
      `poll after approval: expected HTTP 200 with id_token and access_token, got HTTP ${tokens.status} ${JSON.stringify(tokens.json)}`,
    );
  }
  const header = decodeJwtPart(idToken, 0);
  const payload = decodeJwtPart(idToken, 1);
  if (header.alg !== 'ES256') throw new Error(`id_token alg: expected ES256, got ${String(header.alg)}`);
  if (payload.sub !== login) throw new Error(`id_token sub: expected ${JSON.stringify(login)}, got ${JSON.stringify(payload.sub)}`);

  if (fresh && requests !== DEVICE_FLOW_REQUESTS) {
    throw new Error(`device flow login made ${requests} HTTP requests, DEVICE_FLOW_REQUESTS says ${DEVICE_FLOW_REQUESTS}`);
  }
  return { idToken, accessToken, requests };
}

/**
 * A browser that stays logged in at the provider between logins (its cookies persist), as the
 * phone stays logged in at qrlogin: the provider's fair mirror of our flow.
 */
export interface DeviceBrowser {
  jar: CookieJar;
}

export const newDeviceBrowser = (): DeviceBrowser => ({ jar: new CookieJar() });
