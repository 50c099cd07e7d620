/**
 * Real answers of a real server against its own OpenAPI document (issue 16 item 3): a whole
 * login (register, login, gene, check, scanned, confirm, check with the ticket, userinfo, me,
 * the sessions list, signing a session out, logout), refusals (400, 2020, 2241, 2243 with its
 * reason, 2244, a 404 session, 413, an unknown /api path) and the endpoints outside the envelope
 * (QR image, health, keys, discovery, metrics, the AsyncAPI document). Each answer's status and
 * media type must be documented for its path and method, and its body must match the schema
 * there (ajv, draft 2020-12).
 */
import type { CheckData, GeneData, SessionData, SessionsData, UserInfoData } from '../../shared/http';
import { API } from '../../shared/http';
import { type Answer, type OpenApiDocument, answerChecker, fetchAnswer } from '../helpers/api-documents';
import { useServer } from '../helpers/server';

const server = useServer();
let checker: ReturnType<typeof answerChecker>;

beforeAll(async () => {
  checker = answerChecker((await fetchAnswer(`${server().url}/openapi.json`)).body as OpenApiDocument);
});

interface Call {
  /** The request path when it differs from the document's (query string, path parameter). */
  path?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls `method template` on the server and fails the test unless the document describes the answer. */
async function call(method: string, template: string, options: Call = {}): Promise<Answer> {
  const { path = template, body, headers = {} } = options;
  const answer = await fetchAnswer(`${server().url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect({ method, path, problems: checker.problems(method, template, answer) }).toEqual({ method, path, problems: [] });
  return answer;
}

const dataOf = <T>(answer: Answer) => {
  const envelope = answer.body as { code: number; data: T };
  expect(envelope.code).toBe(200);
  return envelope.data;
};
const codeOf = (answer: Answer) => (answer.body as { code: number }).code;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('a whole login, answer by answer, as the document says', async () => {
  const username = `docs_${Date.now().toString(36)}`;
  const password = 'correct horse battery';
  dataOf<SessionData>(await call('POST', API.register, { body: { username, password, nickname: 'Docs' } }));
  const { token } = dataOf<SessionData>(await call('POST', API.login, { body: { username, password } }));

  const qr = dataOf<GeneData>(await call('POST', API.gene, { body: { customData: { from: 'docs' } } }));
  const secret = { 'x-qrlogin-secret': qr.secret };
  const check = `${API.check}?random=${qr.random}`;
  expect(dataOf<CheckData>(await call('GET', API.check, { path: check, headers: secret })).status).toBe(0);
  await call('POST', API.scanned, { body: { random: qr.random }, headers: bearer(token) });
  await call('POST', API.confirm, { body: { random: qr.random }, headers: bearer(token) });
  const { ticket } = dataOf<CheckData>(await call('GET', API.check, { path: check, headers: secret }));
  expect(ticket).toEqual(expect.any(String));

  const user = dataOf<UserInfoData>(await call('POST', API.userinfo, { body: { ticket }, headers: bearer(server().demoAppSecret) }));
  expect(user.username).toBe(username);
  await call('GET', API.me, { headers: bearer(token) });
  const { sessions } = dataOf<SessionsData>(await call('GET', API.sessions, { headers: bearer(token) }));
  expect(sessions).toHaveLength(1);
  const id = sessions[0]?.id ?? '';
  await call('DELETE', `${API.sessions}/{id}`, { path: `${API.sessions}/${id}`, headers: bearer(token) });

  // A second QR, declined.
  const other = dataOf<GeneData>(await call('POST', API.gene, { body: {}, headers: { 'x-authing-app-id': 'demo' } }));
  await call('POST', API.cancel, { body: { random: other.random }, headers: bearer(token) });

  await call('POST', API.logout, { headers: bearer(token) });
  // Refusals, each an ErrorEnvelope in HTTP 200.
  expect(codeOf(await call('GET', API.me, { headers: bearer(token) }))).toBe(2020);
  expect(codeOf(await call('POST', API.userinfo, { body: { ticket }, headers: bearer(server().demoAppSecret) }))).toBe(2244);
});

test('refusals are ErrorEnvelopes the document lists, 2243 with its reason, in Chinese too', async () => {
  const { token } = dataOf<SessionData>(
    await call('POST', API.register, { body: { username: `docs2_${Date.now().toString(36)}`, password: 'correct horse battery' } }),
  );
  const missing = await call('GET', API.check, { path: `${API.check}?random=no-such-qr`, headers: { 'x-authing-lang': 'zh-CN' } });
  expect(codeOf(missing)).toBe(2241);
  expect((missing.body as { message: string }).message).toBe('二维码不存在');
  expect(codeOf(await call('POST', API.scanned, { body: { random: 5 }, headers: bearer(token) }))).toBe(400);
  expect(codeOf(await call('POST', API.scanned, { body: { random: 'x' } }))).toBe(2020);

  const qr = dataOf<GeneData>(await call('POST', API.gene, { body: {} }));
  const early = await call('POST', API.confirm, { body: { random: qr.random }, headers: bearer(token) });
  expect(early.body).toMatchObject({ code: 2243, data: { reason: 'not_scanned' } });

  const gone = await call('DELETE', `${API.sessions}/{id}`, { path: `${API.sessions}/no-such-session`, headers: bearer(token) });
  expect(codeOf(gone)).toBe(404);
  const tooLarge = await call('POST', API.gene, { body: JSON.stringify({ customData: { pad: 'x'.repeat(20_000) } }) });
  expect(tooLarge.status).toBe(413);
});

test('an unknown /api path is an ErrorEnvelope with HTTP 404, as the document says', async () => {
  const answer = await fetchAnswer(`${server().url}/api/v2/no-such-endpoint`);
  expect(answer.status).toBe(404);
  expect(checker.componentProblems('ErrorEnvelope', answer.body)).toEqual([]);
  expect(answer.body).toMatchObject({ code: 404, data: null });
});

test('the endpoints outside the envelope answer as documented', async () => {
  const qr = dataOf<GeneData>(await call('POST', API.gene, { body: {} }));
  const image = await call('GET', API.qrImage, { path: `${API.qrImage}?random=${qr.random}` });
  expect(image.status).toBe(200);
  expect((await call('GET', API.qrImage, { path: `${API.qrImage}?random=no-such-qr` })).status).toBe(404);
  expect((await call('GET', API.qrImage)).status).toBe(400);
  await call('GET', '/livez');
  await call('GET', '/readyz');
  expect(((await call('GET', API.jwks)).body as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  const discovery = await call('GET', API.openidConfiguration);
  expect(discovery.body).toMatchObject({ issuer: server().config.issuer, jwks_uri: expect.stringMatching(/\/\.well-known\/jwks\.json$/) });
  // The test runs on loopback: a private address, so the metrics are served.
  const metrics = await call('GET', '/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.body).toContain('qrlogin_');
  await call('GET', '/asyncapi.json');
  await call('GET', '/openapi.json');
});
