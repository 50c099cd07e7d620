/**
 * The AsyncAPI 3.0 document of the Socket.IO events (issue 16 item 4), as a real server serves
 * it: `@asyncapi/parser` (loaded by jest directly: its CommonJS build works there) parses and
 * validates it with no error and no warning; every event of shared/protocol.ts `EVENTS` is a
 * message of the channel and of an operation in the right direction; and what a real socket
 * receives (acks and pushes, a refusal and an expiry included) matches the document's
 * schemas (ajv, JSON Schema draft-07 as AsyncAPI's schema format is).
 */
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import { EVENTS } from '../../shared/protocol';
import { fetchAnswer } from '../helpers/api-documents';
import { api } from '../helpers/api';
import { confirm, gene, registerUser, scan } from '../helpers/flow';
import { type TestServer, startServer, useServer } from '../helpers/server';
import { closeAllSockets, connect, waitFor } from '../helpers/sockets';

const server = useServer();
let text: string;
let document: { components: { schemas: Record<string, unknown> }; [key: string]: unknown };

beforeAll(async () => {
  const answer = await fetchAnswer(`${server().url}/asyncapi.json`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  document = answer.body as typeof document;
  text = JSON.stringify(document);
});
afterEach(() => closeAllSockets());

const DOC_ID = 'https://qrlogin.test/asyncapi.json';
function schemaChecker() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => !Number.isNaN(Date.parse(value)) && value.includes('T') });
  ajv.addSchema(document, DOC_ID);
  return (name: string, value: unknown): string[] => {
    const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
    if (!validate) return [`no schema ${name}`];
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}

test('@asyncapi/parser reads it as AsyncAPI 3.0 with no error and no warning', async () => {
  const { document: parsed, diagnostics } = await new Parser().parse(text);
  // Severity 0 is an error, 1 a warning; 2 and 3 are information and hints.
  const serious = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
  expect(serious).toEqual([]);
  expect(parsed?.version()).toBe('3.0.0');
  expect(parsed?.info().title()).toBe('qrlogin Socket.IO events');
  const serverUrl = new URL(server().config.publicUrl);
  expect(
    parsed
      ?.servers()
      .all()
      .map((s) => [s.host(), s.protocol(), s.pathname()]),
  ).toEqual([[serverUrl.host, 'ws', '/socket.io']]);
});

test('the parser is not a rubber stamp: a broken document has errors', async () => {
  const broken = JSON.stringify({ ...document, operations: { create: { action: 'maybe' } } });
  const { diagnostics } = await new Parser().parse(broken);
  expect(diagnostics.filter((d) => d.severity === 0).length).toBeGreaterThan(0);
});

test('every event of EVENTS is a message of the channel and of an operation in the right direction', async () => {
  const { document: parsed } = await new Parser().parse(text);
  if (!parsed) throw new Error('not parsed');
  const names = parsed
    .allMessages()
    .all()
    .map((m) => m.name());
  const received: string[] = [EVENTS.create, EVENTS.subscribe, EVENTS.unsubscribe];
  expect(new Set(names)).toEqual(new Set(Object.values(EVENTS)));
  const operations = parsed.operations().all();
  for (const event of Object.values(EVENTS)) {
    const op = operations.find((o) =>
      o
        .messages()
        .all()
        .some((m) => m.name() === event),
    );
    expect({ event, action: op?.action() }).toEqual({ event, action: received.includes(event) ? 'receive' : 'send' });
    // The client's events are answered by the Socket.IO acknowledgement: the operation's reply.
    const reply = op
      ?.reply()
      ?.messages()
      .all()
      .map((m) => m.name());
    expect({ event, reply }).toEqual({ event, reply: received.includes(event) ? [event] : undefined });
  }
});

test("a real socket's acks and pushes match the document's schemas", async () => {
  const problems = schemaChecker();
  const http = api(server().url);
  const phone = await registerUser(http, 'Async Docs');
  const browser = await connect(server().url);

  const created = await browser.timeout(5000).emitWithAck(EVENTS.create, { customData: { from: 'asyncapi' } });
  expect(problems('CreateAck', created)).toEqual([]);
  if (!created.ok) throw new Error('qr:create refused');
  const scanned = waitFor(browser, EVENTS.scanned);
  await scan(http, phone.token, created.data.random);
  expect(problems('ScannedEvent', await scanned)).toEqual([]);
  const confirmed = waitFor(browser, EVENTS.confirmed);
  await confirm(http, phone.token, created.data.random);
  expect(problems('ConfirmedEvent', await confirmed)).toEqual([]);

  const qr = await gene(http);
  const refused = await browser.timeout(5000).emitWithAck(EVENTS.subscribe, { random: qr.random, secret: 'wrong' });
  expect(refused).toMatchObject({ ok: false, error: { code: 2245 } });
  expect(problems('SubscribeAck', refused)).toEqual([]);
  const subscribed = await browser.timeout(5000).emitWithAck(EVENTS.subscribe, { random: qr.random, secret: qr.secret });
  expect(problems('SubscribeAck', subscribed)).toEqual([]);
  const cancelled = waitFor(browser, EVENTS.cancelled);
  expect((await http.post('/api/v2/qrcode/cancel', { random: qr.random }, { authorization: `Bearer ${phone.token}` })).body.code).toBe(200);
  expect(problems('CancelledEvent', await cancelled)).toEqual([]);
  const left = await browser.timeout(5000).emitWithAck(EVENTS.unsubscribe, { random: qr.random });
  expect(problems('UnsubscribeAck', left)).toEqual([]);

  // What the checker refuses: a push without its version.
  expect(problems('CancelledEvent', { random: qr.random, status: 3 })).not.toEqual([]);
});

test('the expiry push matches the document too', async () => {
  let short: TestServer | undefined;
  try {
    short = await startServer({ env: { QR_TTL_SECONDS: '1' } });
    const browser = await connect(short.url);
    const expired = waitFor(browser, EVENTS.expired, 5000);
    const created = await browser.timeout(5000).emitWithAck(EVENTS.create, {});
    expect(created.ok).toBe(true);
    expect(schemaChecker()('ExpiredEvent', await expired)).toEqual([]);
  } finally {
    await short?.close();
  }
});
