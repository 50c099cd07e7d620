/**
 * The README documents every error code, socket event and configuration variable, and
 * nothing that does not exist: a change to one without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../server/config';
import { ERRORS, errorCodes } from '../../shared/errors';
import { EVENTS } from '../../shared/protocol';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the markdown table that follows a heading. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const lines = readme.slice(start).split('\n').slice(1);
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2); // header and separator
}

test('the error-code table lists exactly the codes in shared/errors.ts, and no two errors share a code', () => {
  const documented = tableAfter('### Error codes').map((row) => Number(row[0]));
  expect(documented).toEqual(errorCodes());
  const codes = Object.values(ERRORS).map((error) => error.code);
  expect(new Set(codes).size).toBe(codes.length);
});

test('the socket event table lists exactly the events in shared/protocol.ts', () => {
  const documented = tableAfter('## Socket.IO events').map((row) => row[1]?.replace(/`/g, ''));
  expect([...documented].sort()).toEqual(Object.values(EVENTS).sort());
});

test('the configuration table lists every variable server/config reads, and no other', () => {
  const read = new Set<string>();
  const spy = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_target, name) {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  loadConfig(spy);
  const documented = tableAfter('## Configuration').map((row) => row[0]?.replace(/`/g, ''));
  expect([...documented].sort()).toEqual([...read].sort());
});

test('the quick start is the two commands', () => {
  expect(readme).toContain('npm install && npm start');
  expect(readme).toMatch(/^npm test\b/m);
});

/** The `sh` blocks of a README section, as `VAR=value` assignments. */
function shellAssignments(section: string): Record<string, string>[] {
  const start = readme.indexOf(section);
  const end = readme.indexOf('\n## ', start + section.length);
  const blocks = readme.slice(start, end).split('```sh\n').slice(1);
  return blocks.map((block) =>
    Object.fromEntries(
      [...(block.split('```')[0] ?? '').matchAll(/^([A-Z_]+)=(\S+) \\$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
    ),
  );
}

test('the "Use your own accounts" examples are configurations qrlogin accepts', () => {
  const [jwt, introspection] = shellAssignments('## Use your own accounts');
  expect(Object.keys(jwt ?? {})).toEqual(['USER_TOKEN_ISSUER', 'USER_TOKEN_AUDIENCE', 'BUILTIN_USERS']);
  expect(loadConfig(jwt ?? {}).config.identity).toEqual({
    builtinUsers: false,
    external: {
      issuer: 'https://id.example.com',
      jwksUrl: null,
      audience: 'https://login.example.com/api',
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      introspection: null,
    },
  });
  expect(loadConfig(introspection ?? {}).config.identity.external?.introspection).toEqual({
    url: 'https://id.example.com/oauth2/introspect',
    clientId: 'qrlogin',
    clientSecret: 'change-me',
  });
});
