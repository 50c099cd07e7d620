/**
 * @module
 * qrlogin's REST calls as the benchmark makes them (over bench/lib/http.ts), each checked:
 * a call that does not succeed throws with the envelope's code, so no error is counted as a
 * login.
 */
import type { CheckData, DecisionData, Envelope, GeneData, ScannedData, SessionData } from '../../shared/http';
import { API, HEADERS } from '../../shared/http';
import { postJson, send } from './http';

function dataOf<T>(path: string, envelope: Envelope<T>): T {
  if (envelope.code !== 200 || envelope.data === null) throw new Error(`${path}: code ${envelope.code} ${envelope.message}`);
  return envelope.data;
}

/** POSTs `body` to `base + path` and returns the envelope's data; throws unless its code is 200. */
export const call = async <T>(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> =>
  dataOf(path, await postJson<Envelope<T>>(`${base}${path}`, body, headers));

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let users = 0;

/** A new phone user; returns its token. */
export async function registerPhone(base: string): Promise<string> {
  users += 1;
  const username = `bench${users}_${Math.random().toString(36).slice(2, 8)}`;
  const session = await call<SessionData>(base, API.register, { username, password: 'correct horse battery', nickname: 'Bench User' });
  return session.token;
}

export const gene = (base: string): Promise<GeneData> => call<GeneData>(base, API.gene, {});
export const scan = (base: string, token: string, random: string): Promise<ScannedData> =>
  call<ScannedData>(base, API.scanned, { random }, bearer(token));
export const confirm = (base: string, token: string, random: string): Promise<DecisionData> =>
  call<DecisionData>(base, API.confirm, { random }, bearer(token));

/** The browser's ticket exchange (the demo app allows it with the browser secret). */
export const exchange = (base: string, ticket: string, secret: string): Promise<{ id: string; token: string }> =>
  call<{ id: string; token: string }>(base, API.userinfo, { ticket }, { [HEADERS.secret]: secret });

/** One status poll, as the polling fallback does it. */
export async function check(base: string, random: string, secret: string): Promise<CheckData> {
  const path = `${API.check}?random=${encodeURIComponent(random)}`;
  const answer = await send('GET', `${base}${path}`, undefined, { [HEADERS.secret]: secret });
  return dataOf(path, JSON.parse(answer.text) as Envelope<CheckData>);
}
