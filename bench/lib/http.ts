/**
 * @module
 * The benchmark's HTTP client: `node:http` with one keep-alive agent, so that client overhead
 * is small and the same for every server measured (ours, the bare floor, oidc-provider).
 */
import { Agent, request } from 'node:http';

/**
 * Idle connections are closed after 4 s, before the servers' 5 s keep-alive timeout (Node's
 * default, which they announce with `Keep-Alive: timeout=5`; Node 20's agent ignores that hint).
 * Without it, a request sent on a connection the server is closing at that moment fails with
 * "socket hang up" or ECONNRESET: bench:budget met it on its slowed instances.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, and as UTF-8 text. */
  body: Buffer;
  text: string;
}

export function send(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: body === undefined ? headers : { 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw, text: raw.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    // Which call failed, not only how (a reset or a hang-up says nothing of where).
    req.on('error', (error) => {
      const { pathname, port } = new URL(url);
      const connection = `${req.reusedSocket ? 'a reused' : 'a new'} connection to port ${port}, from ${req.socket?.localPort ?? '?'}`;
      reject(new Error(`${method} ${pathname}: ${error.message} (${connection})`, { cause: error }));
    });
    req.end(body);
  });
}

/** POSTs JSON and returns the parsed answer; throws on a non-2xx status. */
export async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const answer = await send('POST', url, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  if (answer.status < 200 || answer.status > 299) throw new Error(`POST ${url}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  return JSON.parse(answer.text) as T;
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const answer = await send('GET', url, undefined, headers);
  if (answer.status < 200 || answer.status > 299) throw new Error(`GET ${url}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  return JSON.parse(answer.text) as T;
}

/** Closes idle keep-alive connections (between scenarios, so servers can stop promptly). */
export function closeIdleConnections(): void {
  agent.destroy();
}
