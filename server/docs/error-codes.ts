/**
 * @module
 * The error codes as the API documents word them: the whole table (from shared/errors.ts
 * `ERRORS`, so it cannot fall behind) and the line each operation adds for its own codes.
 */
import { ERRORS, type ErrorKey } from '../../shared/errors';

/** A Markdown table of every error code, its name and its English message. */
export function errorTable(): string {
  const rows = Object.entries(ERRORS)
    .sort(([, a], [, b]) => a.code - b.code)
    .map(([key, entry]) => `| ${entry.code} | \`${key}\` | ${entry.en} |`);
  return ['| code | name | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Errors any `/api/v2/*` call may get: bad input, limits, and the server's own troubles. */
export const COMMON_ERRORS: readonly ErrorKey[] = ['INVALID_REQUEST', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'INTERNAL', 'UNAVAILABLE'];

/** The note on an operation: the codes it may answer, with their meaning. */
export function errorNote(keys: readonly ErrorKey[]): string {
  const codes = [...new Set([...keys, ...COMMON_ERRORS])]
    .map((key) => ERRORS[key])
    .sort((a, b) => a.code - b.code)
    .map((entry) => `\`${entry.code}\` ${entry.en}`);
  return `Error codes: ${codes.join('; ')}.`;
}
