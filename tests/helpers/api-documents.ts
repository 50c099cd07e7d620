/**
 * @module
 * Checking the API documents the tests fetch from a real server: the OpenAPI document against
 * the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator, in a child `node`: it is an ES
 * module jest cannot load), and real answers against the document's own response schemas for
 * their path, method, status and media type (ajv, JSON Schema draft 2020-12 as OpenAPI 3.1 uses).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
  [key: string]: unknown;
}

export interface SchemaVerdict {
  valid: boolean;
  version: string;
  errors: unknown[];
}

/** Validates `document` as an OpenAPI document of the version it declares. */
export function validateOpenApi(document: unknown): Promise<SchemaVerdict> {
  const child = spawn(process.execPath, [join(__dirname, 'openapi-validate.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdin.end(JSON.stringify(document));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as SchemaVerdict);
      else reject(new Error(`openapi-validate.mjs exited with ${String(code)}: ${err.slice(0, 500)}`));
    });
  });
}

/** An answer as a test got it. */
export interface Answer {
  status: number;
  /** The Content-Type header (parameters included). */
  contentType: string;
  /** The parsed JSON body, or the text of any other body. */
  body: unknown;
}

const DOC_ID = 'https://qrlogin.test/openapi.json';
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const pointer = (...tokens: string[]) => tokens.map((t) => encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

/** Checks answers against `document`: `problems()` says what does not match, `[]` when all do. */
export function answerChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)) });
  ajv.addSchema(document as object, DOC_ID);
  const compiled = new Map<string, ValidateFunction>();

  const validatorAt = (path: string): ValidateFunction => {
    let validate = compiled.get(path);
    if (!validate) {
      validate = ajv.getSchema(`${DOC_ID}#/${path}`);
      if (!validate) throw new Error(`no schema at #/${path}`);
      compiled.set(path, validate);
    }
    return validate;
  };

  return {
    /**
     * What is wrong with `answer` to `method path` (`path` as the document writes it, e.g.
     * `/api/v2/sessions/{id}`): an undocumented status or media type, or a body its schema refuses.
     */
    problems(method: string, path: string, answer: Answer): string[] {
      const operation = document.paths[path]?.[method.toLowerCase()];
      if (!operation) return [`${method} ${path} is not in the document`];
      const response = operation.responses[String(answer.status)];
      if (!response) return [`${method} ${path}: HTTP ${answer.status} is not documented`];
      const mediaType = answer.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      const media = response.content?.[mediaType];
      if (!media) return [`${method} ${path}: HTTP ${answer.status} ${mediaType || '(no body)'} is not documented`];
      if (!media.schema || mediaType !== 'application/json') return [];
      const validate = validatorAt(
        pointer('paths', path, method.toLowerCase(), 'responses', String(answer.status), 'content', mediaType, 'schema'),
      );
      if (validate(answer.body)) return [];
      return (validate.errors ?? []).map((e) => `${method} ${path} ${answer.status}: ${e.instancePath || '/'} ${e.message ?? ''}`);
    },
    /** What is wrong with `value` as the component schema `name`. */
    componentProblems(name: string, value: unknown): string[] {
      const validate = validatorAt(pointer('components', 'schemas', name));
      return validate(value) ? [] : (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || '/'} ${e.message ?? ''}`);
    },
  };
}

/** Fetches `url` and returns the answer as {@link Answer}. */
export async function fetchAnswer(url: string, init: RequestInit = {}): Promise<Answer & { headers: Headers }> {
  const response = await fetch(url, init);
  const contentType = response.headers.get('content-type') ?? '';
  const buffer = Buffer.from(await response.arrayBuffer());
  const body: unknown = contentType.includes('json')
    ? JSON.parse(buffer.toString('utf8'))
    : contentType.startsWith('text/')
      ? buffer.toString('utf8')
      : buffer;
  return { status: response.status, contentType, body, headers: response.headers };
}
