/**
 * @module
 * Steps of the login flow, shared by the integration tests: a registered phone user, a QR
 * created by the browser, and the phone's actions.
 */
import type { DecisionData, GeneData, ScannedData, SessionData } from '../../shared/http';
import { API } from '../../shared/http';
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
