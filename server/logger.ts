/**
 * @module
 * A small leveled JSON-lines logger. Fields named like credentials are redacted wherever they
 * appear, so a secret, ticket, password or token cannot reach a log line by accident.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Field names whose values are never written (matched case-insensitively, anywhere in a name). */
const SENSITIVE = /secret|ticket|token|password|authorization|cookie|credential|key/i;

/**
 * Strings shaped like credentials, wherever they appear (an error message from a library, a
 * header echoed by mistake): JWTs, and base64url runs of 32+ characters (our secrets, tickets
 * and app secrets are 43; public ids are 22 and stay readable).
 */
const CREDENTIAL_SHAPED = /eyJ[\w-]+\.[\w-]+\.[\w-]*|[A-Za-z0-9_-]{32,}/g;

export function scrub(text: string): string {
  return text.replace(CREDENTIAL_SHAPED, '[redacted]');
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
      out[name] = SENSITIVE.test(name) ? '[redacted]' : redact(field, depth + 1);
    }
    return out;
  }
  return value;
}

/** Where log lines go; tests pass their own to capture them. */
export type LogSink = (line: string) => void;

export function createLogger(level: LogLevel, sink: LogSink = (line) => process.stdout.write(`${line}\n`)): Logger {
  const threshold = RANK[level];
  const write = (at: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (RANK[at] < threshold) return;
    // A caller's fields cannot overwrite the entry's own.
    const { time: _time, level: _level, msg: _msg, ...rest } = redact(fields ?? {}) as LogFields;
    const entry = { time: new Date().toISOString(), level: at, msg: scrub(message), ...rest };
    sink(JSON.stringify(entry));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
