/**
 * What a website or app developer gets from npm: every workspace packed with `npm pack` (which
 * builds it), the tarballs installed into a fresh folder with react and react-dom, a strict
 * TypeScript consumer (tests/fixtures/consumer) type-checked against the shipped `.d.ts` with
 * `moduleResolution` `bundler` (browser code) and `nodenext` (a backend), without
 * `skipLibCheck`, bundled with esbuild, and run (the backend and phone code on Node, and
 * `<QrLogin/>` rendered on the server): and not one server package installed.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/server';

const run = promisify(execFile);
const PACKAGES = ['@qrlogin/web', '@qrlogin/react', '@qrlogin/mobile', '@qrlogin/node'];
/** What a website must never find in its node_modules because of qrlogin. */
const SERVER_PACKAGES = [
  'express',
  'redis',
  '@redis/client',
  'socket.io',
  'engine.io',
  '@socket.io/redis-adapter',
  'jsonwebtoken',
  'lmdb',
  'zod',
  'oidc-provider',
  'proxy-addr',
];
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
// esbuild's own binary (native), as `npx esbuild` would run it.
const ESBUILD = join(ROOT, 'node_modules/.bin/esbuild');
const STRICT = {
  target: 'ES2022',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  noEmit: true,
};

jest.setTimeout(240_000);

let dir = '';
const packed = new Map<string, string[]>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qrlogin-consumer-'));
  const tarballs = join(dir, 'tarballs');
  await mkdir(tarballs);
  const { stdout } = await run('npm', ['pack', '--workspaces', '--json', '--pack-destination', tarballs], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const reports = JSON.parse(stdout.slice(stdout.indexOf('['))) as { name: string; filename: string; files: { path: string }[] }[];
  for (const report of reports) packed.set(report.name, report.files.map((file) => file.path).sort());
  const app = join(dir, 'app');
  await cp(join(ROOT, 'tests/fixtures/consumer'), app, { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  const files = reports.map((report) => join(tarballs, report.filename));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...files,
      'react@19',
      'react-dom@19',
      '@types/react@19',
      '@types/react-dom@19',
      '@types/node@20',
    ],
    { cwd: app, maxBuffer: 16 * 1024 * 1024 },
  );
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('npm pack produces each package with its ESM build, source map, declarations and README, and no sources', () => {
  expect([...packed.keys()].sort()).toEqual([...PACKAGES].sort());
  for (const [name, files] of packed) {
    expect({ name, files: files.filter((file) => !file.startsWith('dist/types/')) }).toEqual({
      name,
      files: ['LICENSE', 'README.md', 'dist/index.d.ts', 'dist/index.js', 'dist/index.js.map', 'package.json'],
    });
    expect(files.some((file) => file.startsWith('dist/types/') && file.endsWith('.d.ts'))).toBe(true);
    expect(files.filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
  }
});

test('no server package is installed with them', async () => {
  const app = join(dir, 'app');
  const installed = new Set<string>();
  for (const entry of await readdir(join(app, 'node_modules'))) {
    if (!entry.startsWith('@')) installed.add(entry);
    else for (const scoped of await readdir(join(app, 'node_modules', entry))) installed.add(`${entry}/${scoped}`);
  }
  expect(PACKAGES.filter((name) => !installed.has(name))).toEqual([]);
  expect(SERVER_PACKAGES.filter((name) => installed.has(name))).toEqual([]);
});

test.each([
  ['bundler', 'preserve', ['web.ts', 'app.tsx', 'ssr.tsx', 'phone.ts']],
  ['nodenext', 'nodenext', ['backend.ts', 'phone.ts']],
])('a strict consumer type-checks against the shipped declarations (moduleResolution %s)', async (resolution, module, files) => {
  const app = join(dir, 'app');
  const config = `tsconfig.${resolution}.json`;
  const browser = resolution === 'bundler';
  const compilerOptions = {
    ...STRICT,
    module,
    moduleResolution: resolution,
    lib: browser ? ['ES2022', 'DOM', 'DOM.Iterable'] : ['ES2022'],
    types: browser ? [] : ['node'],
    jsx: 'react-jsx',
  };
  await writeFile(join(app, config), JSON.stringify({ compilerOptions, files }));
  // tsc prints its diagnostics on stdout: show them if it fails.
  await run(process.execPath, [TSC, '-p', config], { cwd: app }).catch((error: { stdout?: string }) => {
    throw new Error(`tsc (${resolution}) failed:\n${error.stdout ?? String(error)}`);
  });
});

test('the browser code bundles, and the backend and app code run on Node from the installed packages', async () => {
  const app = join(dir, 'app');
  await run(ESBUILD, ['web.ts', 'app.tsx', '--bundle', '--format=esm', '--outdir=out', '--log-level=error'], {
    cwd: app,
  });
  const bundled = await readFile(join(app, 'out/app.js'), 'utf8');
  expect(bundled).toContain('qr-login');
  // Transpiled only, not bundled: Node resolves the packages from node_modules as it would.
  await run(
    ESBUILD,
    ['backend.ts', 'phone.ts', '--platform=node', '--format=esm', '--outdir=out', '--out-extension:.js=.mjs', '--log-level=error'],
    {
      cwd: app,
    },
  );
  const { stdout } = await run(process.execPath, ['out/backend.mjs'], { cwd: app });
  expect(JSON.parse(stdout)).toEqual({
    verifyIdToken: 'function',
    exchangeTicket: 'function',
    qrLoginMiddleware: 'function',
    refused: 'QrLoginTokenError',
  });
  const phone = await run(process.execPath, ['out/phone.mjs'], { cwd: app });
  await run(ESBUILD, ['ssr.tsx', '--jsx=automatic', '--format=esm', '--outdir=out', '--out-extension:.js=.mjs', '--log-level=error'], {
    cwd: app,
  });
  const ssr = await run(process.execPath, ['out/ssr.mjs'], { cwd: app });
  expect(JSON.parse(ssr.stdout)).toEqual({ html: '<div class="login"></div>', tag: 'qr-login', element: 'function' });
  expect(JSON.parse(phone.stdout)).toEqual({ random: 'r-123-abcdefghijklmnop', network: true, signIn: false });
});
