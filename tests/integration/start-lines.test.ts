/**
 * What the built server (`npm start`) writes on stdout: JSON lines only, each with `time`,
 * `level` as a label, `instance` (this host and the port) and `msg`; the start is one line
 * per fact (listening, store, demo pages, the demo secret shown once), requests get access
 * lines, and the lines written just before a graceful exit are not lost. `LOG_FORMAT=pretty`
 * writes readable text instead (issue 16).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/redis-server';
import { ROOT } from '../helpers/server';
import { sleep } from '../helpers/time';

interface Run {
  child: ChildProcessWithoutNullStreams;
  port: number;
  stdout(): string;
  stderr(): string;
}

const running: Run[] = [];
afterEach(() => {
  for (const run of running.splice(0)) if (run.child.exitCode === null) run.child.kill('SIGKILL');
});

async function launch(env: Record<string, string>): Promise<Run> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/server/index.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', STORE: 'memory', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const run = { child, port, stdout: () => out, stderr: () => err };
  running.push(run);
  return run;
}

/** Waits (at most 15 s) until stdout holds `text`. */
async function until(run: Run, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!run.stdout().includes(text)) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no "${text}" in:\n${run.stdout()}\n${run.stderr()}`);
    await sleep(20);
  }
}

async function stop(run: Run): Promise<number | null> {
  const exited = once(run.child, 'exit');
  run.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

test('JSON lines only: the start facts, an access line, the demo secret once, and the lines of the shutdown', async () => {
  const run = await launch({ LOG_LEVEL: 'info' });
  await until(run, 'QRLOGIN_DEMO_APP_SECRET');
  const jwks = await fetch(`http://127.0.0.1:${run.port}/.well-known/jwks.json?probe=1`);
  expect(jwks.status).toBe(200);
  await until(run, '"route":"/.well-known/jwks.json"');
  expect(await stop(run)).toBe(0);

  const lines = run.stdout().split('\n').filter(Boolean);
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const entry of entries) {
    expect(entry).toMatchObject({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: expect.stringMatching(/^(debug|info|warn|error)$/),
      instance: `${hostname()}:${run.port}`,
      msg: expect.any(String),
    });
  }
  const url = `http://localhost:${run.port}`;
  expect(entries).toContainEqual(
    expect.objectContaining({ level: 'info', msg: 'qrlogin listening', url, listening: `127.0.0.1:${run.port}` }),
  );
  expect(entries).toContainEqual(expect.objectContaining({ msg: 'store: memory, lost on restart (STORE=memory)', store: 'memory' }));
  expect(entries).toContainEqual(expect.objectContaining({ msg: 'demo pages', website: `${url}/`, phone: `${url}/mobile` }));
  expect(entries).toContainEqual(
    expect.objectContaining({ msg: 'request', method: 'GET', route: '/.well-known/jwks.json', status: 200, ip: '127.0.0.1' }),
  );
  // Written just before process.exit: the asynchronous destination was flushed.
  expect(entries.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['shutting down', 'shut down']));

  const shown = entries.filter((entry) => typeof entry.demoAppSecret === 'string');
  expect(shown).toEqual([expect.objectContaining({ level: 'warn', appId: 'demo' })]);
  const secret = String(shown[0]?.demoAppSecret);
  expect(secret.length).toBeGreaterThanOrEqual(32);
  expect(lines.filter((line) => line.includes(secret))).toHaveLength(1);
  expect(run.stdout()).not.toContain('probe');
});

test('LOG_FORMAT=pretty: readable lines through pino-pretty, no JSON', async () => {
  const run = await launch({ LOG_FORMAT: 'pretty', QRLOGIN_DEMO_APP_SECRET: 'pretty-demo-app-secret-0123' });
  await until(run, 'demo pages');
  expect(await stop(run)).toBe(0);
  const lines = run.stdout().split('\n').filter(Boolean);
  expect(lines.some((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: qrlogin listening$/.test(line))).toBe(true);
  expect(lines.some((line) => /^\s+url: "http:\/\/localhost:\d+"$/.test(line))).toBe(true);
  for (const line of lines) expect(line.startsWith('{"')).toBe(false);
  expect(run.stdout()).not.toContain('pretty-demo-app-secret');
});

test('an unknown LOG_FORMAT is a start-up error naming the choices', async () => {
  const run = await launch({ LOG_FORMAT: 'xml' });
  const [code] = (await once(run.child, 'exit')) as [number | null];
  expect(code).toBe(1);
  expect(run.stderr()).toContain('LOG_FORMAT must be json or pretty');
});
