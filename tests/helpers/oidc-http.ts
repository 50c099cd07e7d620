/**
 * @module
 * An OpenID Connect sign-in by QR over plain HTTP, as a browser and a phone would do it, for
 * the tests that need a real authorization code without Chromium: the authorization request
 * (PKCE S256), qrlogin's interaction (its cookies kept in a small jar), a QR of the client's app
 * approved by a phone, the ticket handed to the interaction, and the redirect back with the code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CheckData } from '../../shared/http';
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
}

export interface HttpSignInOptions {
  clientId: string;
  redirectUri: string;
  scope?: string;
}

export async function signInOverHttp(baseUrl: string, options: HttpSignInOptions): Promise<HttpSignIn> {
  const jar = new CookieJar();
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
  });
  const step = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(url, baseUrl), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(response);
    return response;
  };
  const start = await step(`/oidc/auth?${params.toString()}`);
  const interaction = start.headers.get('location') ?? '';
  if (!interaction.startsWith('/oidc/interaction/')) throw new Error(`no interaction (HTTP ${start.status})`);
  await step(interaction);

  // The QR the page shows, approved on a phone; the ticket as the page receives it.
  const http = api(baseUrl);
  const phone = await registerUser(http, 'HTTP Signer');
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
  const resumed = await step(redirect);
  const back = new URL(resumed.headers.get('location') ?? '', baseUrl);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${back.searchParams.get('error') ?? `HTTP ${resumed.status}`}`);
  return { code, verifier, state, nonce, iss: back.searchParams.get('iss'), userId: phone.user.id };
}
