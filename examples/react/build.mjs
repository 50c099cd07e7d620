// @ts-check
/**
 * Builds the example page into `dist/` (or `--outdir DIR`): index.html and app.js, bundled by
 * esbuild. `@qrlogin/react` and `@qrlogin/web` resolve by their package names, through
 * node_modules to their built `dist/` (`node scripts/build-packages.mjs --js-only web react`).
 * Environment: QRLOGIN_HOST (http://localhost:3000), QRLOGIN_APP (shop), NODE_ENV
 * (development: React's strict-mode checks stay on).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * @param {{ outdir?: string, host?: string, appId?: string, mode?: string }} [options]
 * @returns {Promise<string>} the folder written
 */
export async function buildExample(options = {}) {
  const outdir = resolve(options.outdir ?? join(here, 'dist'));
  const config = {
    host: (options.host ?? process.env.QRLOGIN_HOST ?? 'http://localhost:3000').replace(/\/+$/, ''),
    appId: options.appId ?? process.env.QRLOGIN_APP ?? 'shop',
  };
  await mkdir(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(here, 'app.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    sourcemap: true,
    // The repository's tsconfig maps @qrlogin/* to their sources (for its own type checks):
    // the example must get the packages as a site installing them would.
    tsconfigRaw: {},
    define: {
      QRLOGIN_CONFIG: JSON.stringify(config),
      'process.env.NODE_ENV': JSON.stringify(options.mode ?? process.env.NODE_ENV ?? 'development'),
    },
    logLevel: 'warning',
  });
  await copyFile(join(here, 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--outdir');
  const outdir = at > 0 ? process.argv[at + 1] : undefined;
  console.log(`built ${await buildExample(outdir ? { outdir } : {})}`);
}
