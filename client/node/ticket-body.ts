/**
 * @module
 * The ticket a page POSTs to its backend: `{"ticket": "…"}` as JSON, and only as JSON
 * (`content-type: application/json`), which another website cannot send without a CORS
 * preflight that the site does not grant: so a form on another site cannot post an attacker's
 * ticket and sign the visitor in to the attacker's account (login CSRF). Taken from `req.body`
 * when a body parser ran (`express.json()`), else read from the request itself.
 */

/** The parts of a Node/Express request the middleware reads. */
export interface RequestLike {
  /** Set by a body parser; absent or undefined when none ran. */
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** A Node request is an async iterable of its body's chunks. */
  [Symbol.asyncIterator]?: () => AsyncIterator<unknown>;
}

/** Bodies longer than this are not read: a ticket is a few dozen characters. */
const MAX_BODY_BYTES = 16 * 1024;

function ticketOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const ticket = (body as { ticket?: unknown }).ticket;
  return typeof ticket === 'string' && ticket.length > 0 && ticket.length <= 1024 ? ticket : null;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function readText(req: RequestLike): Promise<string | null> {
  const iterate = req[Symbol.asyncIterator];
  if (typeof iterate !== 'function') return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = iterate.call(req);
  for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
    const chunk = typeof step.value === 'string' ? new TextEncoder().encode(step.value) : step.value;
    if (!(chunk instanceof Uint8Array)) return null;
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One request header (the first, when repeated), lower-cased. */
function header(req: RequestLike, name: string): string {
  const value = req.headers[name];
  return ((Array.isArray(value) ? value[0] : value) ?? '').toLowerCase();
}

/** Whether the body is declared JSON (`application/json`, any parameters). */
export function isJsonRequest(req: RequestLike): boolean {
  return header(req, 'content-type').split(';')[0]?.trim() === 'application/json';
}

/** Whether the browser says another site made the request (`Sec-Fetch-Site: cross-site`). */
export function isCrossSite(req: RequestLike): boolean {
  return header(req, 'sec-fetch-site') === 'cross-site';
}

/** The ticket in the request's JSON body, or null when there is none. */
export async function readTicket(req: RequestLike): Promise<string | null> {
  if (req.body !== undefined) {
    if (typeof req.body === 'string') return ticketOf(parseText(req.body));
    if (req.body instanceof Uint8Array) return ticketOf(parseText(Buffer.from(req.body).toString('utf8')));
    return ticketOf(req.body);
  }
  const text = await readText(req);
  return text === null ? null : ticketOf(parseText(text));
}
