// @ts-check
/**
 * Builds everything `npm start` serves, with esbuild (type checks are `npm run typecheck`):
 * - dist/server/index.js      the server (CommonJS, node_modules left external)
 * - dist/public/sdk/qrlogin.js the web SDK as a <script> bundle (global `QrLogin`)
 * - dist/public/*              the demo website (/) and phone page (/mobile)
 * - dist/public/oidc/*         the OpenID Connect login page's script and style
 * - dist/public/docs/*         the /docs page: Swagger UI (from swagger-ui-dist) and its init script
 * The npm packages (`@qrlogin/web`, `react`, `mobile`, `node`) are scripts/build-packages.mjs's.
 * `--watch` (npm run dev) rebuilds on change and runs the server with `node --watch`, which
 * restarts it whenever the server bundle changes.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const watch = process.argv.includes('--watch');

/** @type {esbuild.BuildOptions} */
const browser = { bundle: true, platform: 'browser', target: ['es2020'], sourcemap: true, minify: !watch, logLevel: 'warning' };

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    entryPoints: [join(root, 'server/index.ts')],
    outfile: join(out, 'server/index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  },
  { ...browser, entryPoints: [join(root, 'client/web/global.ts')], outfile: join(out, 'public/sdk/qrlogin.js'), format: 'iife' },
  // qrlogin's OpenID Connect login page (served in production too).
  { ...browser, entryPoints: [join(root, 'client/oidc/login.ts')], outfile: join(out, 'public/oidc/login.js'), format: 'esm' },
  // The /docs page's script (server/http/docs-routes.ts), served in production too.
  { ...browser, entryPoints: [join(root, 'client/docs/init.ts')], outfile: join(out, 'public/docs/init.js'), format: 'iife' },
  {
    ...browser,
    entryPoints: [join(root, 'client/demo/site.ts'), join(root, 'client/demo/mobile.ts')],
    outdir: join(out, 'public/demo'),
    format: 'esm',
  },
];

async function copyStatic() {
  await mkdir(join(out, 'public/oidc'), { recursive: true });
  await cp(join(root, 'client/demo/static'), join(out, 'public'), { recursive: true });
  await cp(join(root, 'client/oidc/login.css'), join(out, 'public/oidc/login.css'));
  // The /docs page: its HTML and style, and Swagger UI's prebuilt bundle (no CDN).
  await mkdir(join(out, 'public/docs'), { recursive: true });
  await cp(join(root, 'client/docs/index.html'), join(out, 'public/docs/index.html'));
  await cp(join(root, 'client/docs/docs.css'), join(out, 'public/docs/docs.css'));
  const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) await cp(join(swaggerUi, file), join(out, 'public/docs', file));
}

if (watch) {
  await rm(out, { recursive: true, force: true });
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.rebuild()));
  await copyStatic();
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('watching for changes (static files under client/demo/static need a restart)…');
  const server = spawn(process.execPath, ['--watch', join(out, 'server/index.js')], { stdio: 'inherit' });
  const stop = () => {
    server.kill('SIGTERM');
    void Promise.all(contexts.map((context) => context.dispose())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} else {
  await rm(out, { recursive: true, force: true });
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await copyStatic();
}
