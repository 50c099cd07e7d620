/**
 * @module
 * Steps of the login flow, shared by the integration tests: a registered phone user, a QR
 * created by the browser, and the phone's actions.
 */
import type { CheckData, DecisionData, GeneData, ScannedData, SessionData, UserInfoData } from '../../shared/http';
import { API, HEADERS } from '../../shared/http';
import { type Api, dataOf } from './api';

let counter = 0;

/** Registers a fresh user and returns its phone token. */
export async function registerUser(http: Api, nickname = 'Test User'): Promise<SessionData> {
  counter += 1;
  const username = `user${counter}_${Math.random().toString(36).slice(2, 8)}`;
  return dataOf(await http.post<SessionData>(API.register, { username, password: 'correct horse battery', nickname }));
}

export async function gene(http: Api, headers: Record<string, string> = {}, body: unknown = {}): Promise<GeneData> {
  return dataOf(await http.post<GeneData>(API.gene, body, headers));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function scan(http: Api, token: string, random: string): Promise<ScannedData> {
  return dataOf(await http.post<ScannedData>(API.scanned, { random }, bearer(token)));
}

export async function confirm(http: Api, token: string, random: string): Promise<DecisionData> {
  return dataOf(await http.post<DecisionData>(API.confirm, { random }, bearer(token)));
}

/** A whole login: the QR, the phone that approved it, its ticket and what the app's backend got for it. */
export interface Login {
  qr: GeneData;
  phone: SessionData;
  ticket: string;
  user: UserInfoData;
}

/**
 * A QR of `appId` (with `headers`, e.g. the browser's User-Agent), scanned and confirmed by
 * `phone` (a new user when absent), its ticket read from `check` with the browser secret and
 * exchanged by the app's backend with `appSecret`.
 */
export async function redeemedLogin(
  http: Api,
  options: { appId: string; appSecret: string; phone?: SessionData; headers?: Record<string, string> },
): Promise<Login> {
  const phone = options.phone ?? (await registerUser(http));
  const qr = await gene(http, { [HEADERS.appId]: options.appId, ...options.headers });
  await scan(http, phone.token, qr.random);
  await confirm(http, phone.token, qr.random);
  const checked = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, { [HEADERS.secret]: qr.secret }));
  const ticket = checked.ticket ?? '';
  const user = dataOf(await http.post<UserInfoData>(API.userinfo, { ticket }, { authorization: `Bearer ${options.appSecret}` }));
  return { qr, phone, ticket, user };
}
