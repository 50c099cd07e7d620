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
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
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

// Each package is built beside its dist/ and swapped in whole, so a test or an example that
// imports the package while another one rebuilds it (npm pack, npm run example:…) never sees
// it half written.
for (const name of names) {
  const dist = join(root, 'client', name, 'dist');
  const staging = `${dist}.${process.pid}.tmp`;
  const old = `${dist}.${process.pid}.old`;
  await rm(staging, { recursive: true, force: true });
  try {
    await buildJs(name, staging);
    if (!jsOnly) await buildTypes(name, staging);
    if (existsSync(dist)) await rename(dist, old);
    await rename(staging, dist);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}
