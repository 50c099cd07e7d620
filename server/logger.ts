/**
 * @module
 * Leveled logging on pino: one JSON object per line (`time`, `level` as a label, `instance`,
 * `msg`, fields), or, when `LOG_FORMAT=pretty` asks, the same lines made readable by
 * pino-pretty. Credentials never reach a line: pino's `redact` paths censor the known field
 * names, and a log formatter redacts credential-named fields at any depth and scrubs
 * credential-shaped strings; the message is scrubbed too.
 */
import { hostname } from 'node:os';
import pino from 'pino';
import type { prettyFactory as PrettyFactory } from 'pino-pretty';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Field names whose values are never written (matched case-insensitively, anywhere in a name). */
const SENSITIVE = /secret|ticket|token|password|authorization|cookie|credential|key/i;

/**
 * The credential fields qrlogin itself names, for pino's `redact` (exact names, at the top and
 * one level down): the formatter below already covers every depth and spelling, these stay
 * censored even if it changed.
 */
const KNOWN_CREDENTIALS = [
  'secret',
  'secretHash',
  'browserSecret',
  'appSecret',
  'webhookSecret',
  'ticket',
  'token',
  'idToken',
  'accessToken',
  'logoutToken',
  'password',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
];
const REDACT_PATHS = KNOWN_CREDENTIALS.flatMap((name) => [name, `*.${name}`]);
const CENSOR = '[redacted]';

/**
 * Strings shaped like credentials, wherever they appear (an error message from a library, a
 * header echoed by mistake): JWTs, and base64url runs of 32+ characters (our secrets, tickets
 * and app secrets are 43; public ids are 22 and stay readable).
 */
const CREDENTIAL_SHAPED = /eyJ[\w-]+\.[\w-]+\.[\w-]*|[A-Za-z0-9_-]{32,}/g;

export function scrub(text: string): string {
  return text.replace(CREDENTIAL_SHAPED, CENSOR);
}

/** A copy of `value` with credential-like fields and strings replaced, and errors reduced to name + message. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 5) return '[…]';
  if (typeof value === 'string') return scrub(value);
  if (value instanceof Error) return { name: value.name, message: scrub(value.message) };
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (value instanceof Map) return redact(Object.fromEntries(value), depth);
  if (value instanceof Set) return redact([...value], depth);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) {
      out[name] = SENSITIVE.test(name) ? CENSOR : redact(field, depth + 1);
    }
    return out;
  }
  return value;
}

/** Where log lines go (one line, no trailing newline); tests pass their own to capture them. */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  /** Which instance wrote the line, on every line: hostname and port. @default os.hostname() */
  instance?: string;
  /** `json`: one JSON object per line; `pretty`: readable text through pino-pretty. @default 'json' */
  format?: LogFormat;
}

/** The entry's own fields, which a caller's fields cannot overwrite. */
const OWN_FIELDS = new Set(['time', 'level', 'msg', 'instance']);

/** `fields` without any that would forge the entry's own (a copy). */
function withoutOwnFields(fields: object): LogFields {
  const out: LogFields = { ...fields };
  for (const name of OWN_FIELDS) delete out[name];
  return out;
}

/** The caller's fields, redacted, without any that would forge the entry's own. */
const formatFields = (fields: object): LogFields => withoutOwnFields(redact(fields) as LogFields);

type Destination = { write(chunk: string): void };

function destinationOf(format: LogFormat, sink: LogSink | undefined): Destination | pino.DestinationStream {
  const line = (chunk: string) => (chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk);
  if (format === 'pretty') {
    // Loaded only when asked: a process writing JSON never loads pino-pretty.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { prettyFactory } = require('pino-pretty') as { prettyFactory: typeof PrettyFactory };
    const colorize = sink === undefined && process.stdout.isTTY === true;
    const pretty = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'instance' });
    if (sink) return { write: (chunk) => sink(line(pretty(chunk))) };
    // A developer's terminal: written at once, as the lines come.
    return { write: (chunk) => process.stdout.write(pretty(chunk)) };
  }
  // Captured lines arrive synchronously, in order, as each call returns.
  if (sink) return { write: (chunk) => sink(line(chunk)) };
  // stdout, written asynchronously (pino flushes what is buffered when the process exits).
  return pino.destination({ dest: 1, sync: false });
}

/** The process's logger: a {@link Logger}, and the one line that may hold a credential. */
export interface RootLogger extends Logger {
  /**
   * One `warn` line, neither redacted nor scrubbed, in the same format and destination: only
   * for a credential shown once on purpose (the demo app's secret generated at start,
   * PROTOCOL §2). Nothing else may use it; everything else goes through the redacting methods.
   */
  warnUnredacted(message: string, fields: LogFields): void;
}

export function createLogger(level: LogLevel, sink?: LogSink, options: LoggerOptions = {}): RootLogger {
  const base = pino(
    {
      level,
      base: { instance: options.instance ?? hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: formatFields },
      // The formatter has made errors plain {name, message}: no serializer adds a stack back.
      serializers: { err: (value: unknown) => value },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
    },
    destinationOf(options.format ?? 'json', sink),
  );
  const method = (at: Exclude<LogLevel, 'silent'>): Logger[typeof at] => {
    if (!base.isLevelEnabled(at)) return () => undefined;
    return (message, fields) => base[at](fields ?? {}, scrub(message));
  };
  const unredacted = base.child({}, { redact: { paths: [] }, formatters: { log: withoutOwnFields } });
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    warnUnredacted: (message, fields) => unredacted.warn(fields, message),
  };
}
