/**
 * @module
 * A tiny HTTP client for tests: real `fetch` against a real server, returning the HTTP status
 * and the parsed envelope.
 */
import type { Envelope } from '../../shared/http';

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: Envelope<T>;
}

export interface Api {
  get<T = unknown>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  delete<T = unknown>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** POST a raw string body (for malformed JSON). */
  raw<T = unknown>(path: string, body: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export function api(baseUrl: string): Api {
  const send = async <T>(method: string, path: string, body: string | undefined, headers: Record<string, string>) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    let parsed: Envelope<T>;
    try {
      parsed = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new Error(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    get: (path, headers = {}) => send('GET', path, undefined, headers),
    post: (path, body, headers = {}) => send('POST', path, JSON.stringify(body), headers),
    delete: (path, headers = {}) => send('DELETE', path, undefined, headers),
    raw: (path, body, headers = {}) => send('POST', path, body, headers),
  };
}

/** The data of a successful envelope; fails the test with the envelope otherwise. */
export function dataOf<T>(response: ApiResponse<T>): T {
  if (response.body.code !== 200 || response.body.data === null) {
    throw new Error(`expected success, got HTTP ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.data;
}
