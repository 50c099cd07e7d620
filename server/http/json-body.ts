/**
 * @module
 * The API's JSON body reader. It replaces `express.json()`, which measured at about 100 µs per
 * request here, a third of a confirm's time before its push leaves (BENCHMARKS.md). It keeps
 * body-parser's contract where a client could notice:
 * - only `application/json` bodies are parsed; others are left unparsed;
 * - no body leaves `req.body` undefined, and an empty JSON body is `{}`;
 * - the parsing is strict: an object or an array, nothing else;
 * - the limit is checked against Content-Length before reading and while reading;
 * - failures carry body-parser's `type` and `status`, which http/error-handler.ts maps to 400/413.
 * Only UTF-8 and unencoded bodies are read. Browsers and our SDKs send nothing else; anything
 * else is refused, not guessed at.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

interface BodyError extends Error {
  type: string;
  status: number;
}

const bodyError = (type: string, status: number, message: string): BodyError => Object.assign(new Error(message), { type, status });

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '') !== '';

function mediaType(header: string | undefined): { type: string; charset: string | null } {
  const [type = '', ...parameters] = (header ?? '').split(';');
  let charset: string | null = null;
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset')
      charset = value
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

/**
 * Reads a JSON body of at most `limitBytes`: `undefined` without one (or of another type), `{}`
 * for an empty one; rejects with a {@link BodyError}.
 */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  if (!hasBody(req)) return Promise.resolve(undefined);
  const { type, charset } = mediaType(req.headers['content-type']);
  if (type !== 'application/json') return Promise.resolve(undefined);
  const refuse = (error: BodyError) => {
    req.resume();
    return Promise.reject(error);
  };
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8')
    return refuse(bodyError('charset.unsupported', 415, `unsupported charset "${charset.slice(0, 20)}"`));
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return refuse(bodyError('encoding.unsupported', 415, 'unsupported content encoding'));
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > limitBytes) return refuse(bodyError('entity.too.large', 413, 'request entity too large'));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (error: BodyError | null, body?: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('aborted', onAbort);
      if (error) {
        req.resume();
        reject(error);
        return;
      }
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) finish(bodyError('entity.too.large', 413, 'request entity too large'));
      else chunks.push(chunk);
    };
    const onAbort = () => finish(bodyError('request.aborted', 400, 'request aborted'));
    const onEnd = () => {
      if (declared !== null && received !== declared)
        return finish(bodyError('request.size.invalid', 400, 'request size did not match content length'));
      // A leading byte-order mark is allowed, as body-parser allows it.
      const text = Buffer.concat(chunks, received)
        .toString('utf8')
        .replace(/^\uFEFF/, '');
      if (text.length === 0) return finish(null, {});
      // JSON's whitespace (RFC 8259): space, tab, line feed, carriage return.
      const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
      if (first !== '{' && first !== '[') return finish(bodyError('entity.parse.failed', 400, 'the body is not a JSON object or array'));
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return finish(bodyError('entity.parse.failed', 400, 'malformed JSON'));
      }
      finish(null, body);
    };
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('aborted', onAbort);
  });
}

/** {@link readJsonBody} as Express middleware: the body lands in `req.body`. */
export function jsonBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    readJsonBody(req, limitBytes).then((body) => {
      if (body !== undefined) req.body = body;
      next();
    }, next);
  };
}
