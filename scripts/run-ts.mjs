// Runs a TypeScript entry (bench scripts) with Node: bundled by esbuild into .cache/, with
// node_modules left external. Usage: node scripts/run-ts.mjs FILE [args...]
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE [args...]');
  process.exit(2);
}
const outfile = join('.cache', `${basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
// Pass stop signals on, so that stopping this process stops the script (and what it started).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
