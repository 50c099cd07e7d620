// @ts-check
/**
 * Validates the OpenAPI document on standard input with @seriousme/openapi-schema-validator and
 * prints `{valid, version, errors}` as JSON. A script of its own because the validator is an ES
 * module that jest's CommonJS runtime cannot load: tests/helpers/api-documents.ts runs it with
 * `node` in a child process.
 */
import { Validator } from '@seriousme/openapi-schema-validator';

let text = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
console.log(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }));
