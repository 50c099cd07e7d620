// @ts-check
/**
 * Builds the npm packages under client/ (the workspaces `@qrlogin/web`, `react`, `mobile`,
 * `node`) into each package's `dist/`:
 * - `index.js` (+ `.map`): ESM, readable (not minified), the package's own sources and what it
 *   uses of shared/ and client/common bundled in; its dependencies and peers stay imports;
 * - `index.d.ts` and `types/`: declarations emitted by tsc from the same sources, with every
 *   relative import given its `.js` so both `moduleResolution: bundler` and `nodenext` consumers
 *   resolve them.
 *
 * `node scripts/build-packages.mjs [web|react|mobile|node …]` (default: all, web before react,
 * whose declarations import web's). `npm pack --workspace @qrlogin/<name>` runs it (`prepack`).
 * `--js-only` skips the declarations (what `npm run build` needs to serve the examples).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['web', 'react', 'mobile', 'node'];
const args = process.argv.slice(2);
const jsOnly = args.includes('--js-only');
const asked = args.filter((arg) => !arg.startsWith('--'));
const unknown = asked.filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`unknown package ${unknown.join(', ')}: one of ${ALL.join(', ')}`);
  process.exit(2);
}
const names = ALL.filter((name) => asked.length === 0 || asked.includes(name));

/** @param {string} name @param {string} out */
async function buildJs(name, out) {
  const dir = join(root, 'client', name);
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const external = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  const entry = existsSync(join(dir, 'index.tsx')) ? 'index.tsx' : 'index.ts';
  await esbuild.build({
    entryPoints: [join(dir, entry)],
    outfile: join(out, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: name === 'node' ? 'node' : 'browser',
    target: name === 'node' ? ['node20'] : ['es2020'],
    // `react/jsx-runtime` and the like are subpaths of a peer: keep them imports too.
    external: external.flatMap((dep) => [dep, `${dep}/*`]),
    jsx: 'automatic',
    sourcemap: true,
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** @param {string} dir */
async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/**
 * `from './x'` → `from './x.js'` (or `./x/index.js`) in emitted declarations.
 * @param {string} file
 */
async function addExtensions(file) {
  const text = await readFile(file, 'utf8');
  const fixed = text.replace(/(from\s+|import\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g, (match, head, quote, spec) => {
    if (/\.(js|mjs|cjs|json)$/.test(spec)) return match;
    const base = resolve(dirname(file), spec);
    if (existsSync(`${base}.d.ts`)) return `${head}${quote}${spec}.js${quote}`;
    if (existsSync(join(base, 'index.d.ts'))) return `${head}${quote}${spec}/index.js${quote}`;
    throw new Error(`${relative(root, file)}: cannot resolve ${spec}`);
  });
  if (fixed !== text) await writeFile(file, fixed);
}

/** @param {string} name @param {string} out */
async function buildTypes(name, out) {
  const dir = join(root, 'client', name);
  const types = join(out, 'types');
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json'), '--outDir', types], { stdio: 'inherit' });
  for await (const file of walk(types)) if (file.endsWith('.d.ts')) await addExtensions(file);
  const entry = relative(out, join(types, 'client', name, 'index.js'));
  await writeFile(join(out, 'index.d.ts'), `export * from './${entry}';\n`);
}

/** @param {string} path @returns {Promise<boolean>} false when it exists already */
async function tryMkdir(path) {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Runs `build` holding `<dist>.lock` (a folder: mkdir is atomic), so two builds of one package at
 * once (parallel test files, `npm pack` beside `npm run example:…`) take turns. A lock older
 * than two minutes was left by a killed build and is taken over.
 * @param {string} dist @param {() => Promise<void>} build
 */
async function locked(dist, build) {
  const lock = `${dist}.lock`;
  const deadline = Date.now() + 180_000;
  while (!(await tryMkdir(lock))) {
    const age = await stat(lock).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > 120_000) await rm(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`${relative(root, lock)} is held: remove it if no build is running`);
    else await sleep(100);
  }
  try {
    await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Moves a finished build into dist/ file by file (each rename atomic, replacing the old file),
 * so a test or an example importing the package meanwhile never finds `index.js` missing or half
 * written. `types/` is replaced as a whole; a `--js-only` build leaves the declarations as they are.
 * @param {string} staging @param {string} dist
 */
async function swapIn(staging, dist) {
  await mkdir(dist, { recursive: true });
  const old = `${dist}.${process.pid}.old`;
  if (existsSync(join(staging, 'types')) && existsSync(join(dist, 'types'))) await rename(join(dist, 'types'), old);
  for (const entry of await readdir(staging)) await rename(join(staging, entry), join(dist, entry));
  await rm(old, { recursive: true, force: true });
}

for (const name of names) {
  // The repository's licence ships in each tarball (npm packs a package's own LICENSE only).
  await copyFile(join(root, 'LICENSE'), join(root, 'client', name, 'LICENSE'));
  const dist = join(root, 'client', name, 'dist');
  await locked(dist, async () => {
    const staging = `${dist}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    try {
      await buildJs(name, staging);
      if (!jsOnly) await buildTypes(name, staging);
      await swapIn(staging, dist);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}
