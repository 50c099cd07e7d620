/**
 * The OpenAPI document (issue 16 item 3), as a real server serves it: valid OpenAPI 3.1
 * (@seriousme/openapi-schema-validator), naming the server's PUBLIC_URL, public (CORS `*`,
 * cacheable), and covering every route the Express routers and the hot lane define under
 * /api/v2 (read from the routers and the lane's route table themselves) and every path of shared/http.ts `API`, with every error code.
 * Real answers are checked against it in openapi-answers.test.ts.
 */
import type { Router } from 'express';
import { ERRORS, QR_STATE_REASONS } from '../../shared/errors';
import { API } from '../../shared/http';
import type { LaneRoute } from '../../server/http/lane';
import { qrcodeRoutes } from '../../server/http/qrcode-routes';
import { sessionRoutes } from '../../server/http/session-routes';
import { userRoutes } from '../../server/http/user-routes';
import { type OpenApiDocument, answerChecker, fetchAnswer, validateOpenApi } from '../helpers/api-documents';
import { useServer } from '../helpers/server';

const server = useServer();
let document: OpenApiDocument;

beforeAll(async () => {
  const answer = await fetchAnswer(`${server().url}/openapi.json`);
  expect(answer.status).toBe(200);
  document = answer.body as OpenApiDocument;
});

/** `method path` of every route a router defines, with `:id` written `{id}` as OpenAPI does. */
function routesOf(router: Router): string[] {
  const stack = (router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack;
  return stack.flatMap(({ route }) =>
    route ? Object.keys(route.methods).map((method) => `${method} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
}

/** `method path` of every lane route (server/http/lane.ts). */
const laneRoutesOf = (routes: LaneRoute[]) => routes.map((route) => `${route.method.toLowerCase()} ${route.path}`);

/** Every `method path` the document lists under /api/v2. */
function documentedApi(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v2/'))
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
}

test('the document is valid OpenAPI 3.1', async () => {
  expect(document.openapi).toBe('3.1.0');
  const verdict = await validateOpenApi(document);
  expect(verdict.errors).toEqual([]);
  expect(verdict).toMatchObject({ valid: true, version: '3.1' });
});

test('the validator is not a rubber stamp: a broken document fails', async () => {
  const broken = { ...document, info: { title: 'no version' } };
  expect((await validateOpenApi(broken)).valid).toBe(false);
});

test("its server is the configured PUBLIC_URL, and it is public: any origin, cacheable, nothing else's headers", async () => {
  expect(document.servers).toEqual([{ url: server().config.publicUrl }]);
  const answer = await fetchAnswer(`${server().url}/openapi.json`, { headers: { origin: 'https://elsewhere.example' } });
  expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  expect(answer.contentType).toMatch(/^application\/json/);
  // Built once: the same text every time.
  expect(answer.body).toEqual(document);
});

test('every route the Express routers and the lane define under /api/v2 is documented, and nothing more', () => {
  // The routers are only built here, never called: their dependencies are not needed.
  const none = {} as never;
  const routed = [
    ...laneRoutesOf(qrcodeRoutes(none)),
    ...routesOf(userRoutes(none, none)),
    ...routesOf(sessionRoutes(none, none, none)),
  ].filter((route) => route.split(' ')[1]?.startsWith('/api/v2/'));
  expect(routed.length).toBeGreaterThanOrEqual(12);
  expect(documentedApi(document).sort()).toEqual([...new Set(routed)].sort());
});

test('every path of shared/http.ts API is in the document, and so are health, metrics and the documents', () => {
  const paths = Object.keys(document.paths);
  for (const path of Object.values(API)) expect(paths).toContain(path);
  expect(paths).toContain(`${API.sessions}/{id}`);
  for (const path of ['/livez', '/readyz', '/metrics', '/openapi.json', '/asyncapi.json', '/docs']) expect(paths).toContain(path);
});

test('the envelope is a reusable schema, and ErrorEnvelope lists every error code with its meaning', () => {
  const schemas = document.components.schemas;
  expect(schemas.Envelope).toMatchObject({ required: ['code', 'message', 'data'] });
  const codes = Object.values(ERRORS).map((entry) => entry.code);
  expect(schemas.ErrorCode).toMatchObject({ type: 'integer' });
  expect([...(schemas.ErrorCode as { enum: number[] }).enum].sort()).toEqual([...codes].sort());
  const description = (schemas.ErrorEnvelope as { description: string }).description;
  for (const [key, entry] of Object.entries(ERRORS)) expect(description).toContain(`| ${entry.code} | \`${key}\` | ${entry.en} |`);
  expect((schemas.QrStateReason as { enum: string[] }).enum).toEqual(Object.keys(QR_STATE_REASONS));
});

test("each /api/v2 operation answers the envelope or ErrorEnvelope, names its codes, and says how it's authorized", () => {
  const security = (method: string, path: string) => (document.paths[path]?.[method] as { security?: unknown[] }).security;
  for (const [path, item] of Object.entries(document.paths).filter(([p]) => p.startsWith('/api/v2/'))) {
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as unknown as { description: string; responses: Record<string, unknown> };
      expect(op.description).toMatch(/Error codes: .*`400` Invalid request/);
      expect(JSON.stringify(op.responses['200'])).toContain('#/components/schemas/ErrorEnvelope');
      expect(op.responses['429']).toBeDefined();
      if (method === 'post' && !path.endsWith('/logout')) expect(op.responses['413']).toBeDefined();
    }
  }
  for (const path of [API.scanned, API.confirm, API.cancel, API.logout]) expect(security('post', path)).toEqual([{ userToken: [] }]);
  for (const path of [API.me, API.sessions]) expect(security('get', path)).toEqual([{ userToken: [] }]);
  expect(security('post', API.userinfo)).toEqual([{ appSecret: [] }, { browserSecret: [] }, {}]);
  expect(security('get', API.check)).toEqual([{ browserSecret: [] }, {}]);
  const schemes = document.components as unknown as { securitySchemes: Record<string, unknown>; parameters: Record<string, unknown> };
  expect(schemes.securitySchemes.browserSecret).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-qrlogin-secret' });
  expect(schemes.parameters.AppId).toMatchObject({ in: 'header', name: 'x-authing-app-id' });
  expect(schemes.parameters.Lang).toMatchObject({ in: 'header', name: 'x-authing-lang' });
});

test('the checker refuses what the document does not say (it can fail)', () => {
  const checker = answerChecker(document);
  const envelope = { code: 200, message: 'success', data: { random: 'r', status: 7 } };
  const json = 'application/json; charset=utf-8';
  expect(checker.problems('POST', API.confirm, { status: 200, contentType: json, body: envelope })).not.toEqual([]);
  expect(checker.problems('POST', API.confirm, { status: 418, contentType: json, body: envelope })).not.toEqual([]);
  expect(checker.problems('GET', '/api/v2/nope', { status: 200, contentType: json, body: envelope })).not.toEqual([]);
  const error = { code: 2999, message: 'no such code', data: null };
  expect(checker.problems('POST', API.confirm, { status: 200, contentType: json, body: error })).not.toEqual([]);
  const ok = { code: 200, message: 'success', data: { random: 'r', status: 1 } };
  expect(checker.problems('POST', API.confirm, { status: 200, contentType: json, body: ok })).toEqual([]);
});
