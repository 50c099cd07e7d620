/**
 * @module
 * An OpenID Connect sign-in by QR over plain HTTP, as a browser and a phone would do it, for
 * the tests that need a real authorization code without Chromium: the authorization request
 * (PKCE S256), qrlogin's interaction (its cookies kept in a small jar), a QR of the client's app
 * approved by a phone, the ticket handed to the interaction, and the redirect back with the code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CheckData, SessionData } from '../../shared/http';
import { API } from '../../shared/http';
import { api, dataOf } from './api';
import { confirm, gene, registerUser, scan } from './flow';

/** Cookies by name, as a browser keeps them (paths ignored: every request here may carry them). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface HttpSignIn {
  code: string;
  verifier: string;
  state: string;
  /** The `nonce` of the request, which the ID token carries. */
  nonce: string;
  /** The `iss` of the redirect back (RFC 9207). */
  iss: string | null;
  userId: string;
  /** The phone that approved (absent when the browser was signed in already: no QR). */
  phone?: SessionData;
}

export interface HttpSignInOptions {
  clientId: string;
  redirectUri: string;
  scope?: string;
  prompt?: string;
  /** The browser (its cookies) to use again: its provider session carries over. */
  browser?: HttpBrowser;
  /** The phone user who approves; a new one when absent. */
  phone?: SessionData;
}

/** A browser of the tests: its cookie jar, and requests that follow nothing by themselves. */
export class HttpBrowser {
  private readonly jar = new CookieJar();
  constructor(readonly baseUrl: string) {}
  async step(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(url, this.baseUrl), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.jar.header() },
    });
    this.jar.take(response);
    return response;
  }
}

/** An authorization request sent straight back to the client with an error, without a QR. */
export class NoInteractionError extends Error {
  constructor(readonly back: URL) {
    super(`back to the client without a QR: ${back.searchParams.get('error') ?? 'no error'}`);
  }
}

export async function signInOverHttp(baseUrl: string, options: HttpSignInOptions): Promise<HttpSignIn> {
  const browser = options.browser ?? new HttpBrowser(baseUrl);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const params = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    scope: options.scope ?? 'openid',
    redirect_uri: options.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(options.prompt ? { prompt: options.prompt } : {}),
  });
  const step = (url: string, init?: RequestInit) => browser.step(url, init);
  const backFrom = (response: Response) => new URL(response.headers.get('location') ?? '', baseUrl);
  const result = (back: URL, userId: string, phone?: SessionData): HttpSignIn => {
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`no code: ${back.searchParams.get('error') ?? back.href}`);
    return { code, verifier, state, nonce, iss: back.searchParams.get('iss'), userId, ...(phone ? { phone } : {}) };
  };
  const start = await step(`/oidc/auth?${params.toString()}`);
  const interaction = start.headers.get('location') ?? '';
  if (!interaction.startsWith('/oidc/interaction/')) {
    const back = backFrom(start);
    // Straight back to the client: a silent sign-in's code, or an error (`login_required`).
    if (back.origin === new URL(options.redirectUri).origin) {
      if (back.searchParams.has('code')) return result(back, '');
      throw new NoInteractionError(back);
    }
    throw new Error(`no interaction (HTTP ${start.status})`);
  }
  const page = await step(interaction);
  if (page.status === 303) {
    // Signed in to qrlogin in this browser already: granted at once, no QR.
    const back = backFrom(await step(page.headers.get('location') ?? ''));
    return result(back, '');
  }

  // The QR the page shows, approved on a phone; the ticket as the page receives it.
  const http = api(baseUrl);
  const phone = options.phone ?? (await registerUser(http, 'HTTP Signer'));
  // As the page makes it: for this authorization request.
  const uid = decodeURIComponent(interaction.split('/').pop() ?? '');
  const qr = await gene(http, { 'x-authing-app-id': options.clientId }, { customData: { oidcInteraction: uid } });
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { 'x-qrlogin-secret': qr.secret }));
  if (!check.ticket) throw new Error('no ticket after confirm');

  const login = await step(`${interaction}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticket: check.ticket }),
  });
  const { redirect } = (await login.json()) as { redirect?: string };
  if (!redirect) throw new Error(`the interaction refused the ticket (HTTP ${login.status})`);
  return result(backFrom(await step(redirect)), phone.user.id, phone);
}

/** The token endpoint's answer for a code (`client_secret_post`, or `none` without a secret). */
export async function exchangeCode(
  baseUrl: string,
  options: { clientId: string; secret?: string; redirectUri: string; signIn: HttpSignIn },
): Promise<{ id_token: string; access_token: string }> {
  const response = await fetch(new URL('/oidc/token', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: options.signIn.code,
      code_verifier: options.signIn.verifier,
      redirect_uri: options.redirectUri,
      client_id: options.clientId,
      ...(options.secret ? { client_secret: options.secret } : {}),
    }),
  });
  const body = (await response.json()) as { id_token?: string; access_token?: string; error?: string };
  if (!body.id_token || !body.access_token) throw new Error(`token endpoint: ${body.error ?? response.status}`);
  return { id_token: body.id_token, access_token: body.access_token };
}
