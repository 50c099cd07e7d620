// The static checks `npm test` runs before jest (the lint steps and the type check), side by
// side: each is one process and the slowest (type-aware ESLint) sets the time. Each check's
// output is printed when it ends, under its name; exit 1 when any failed.
// Usage: node scripts/checks.mjs
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every `lint:*` script of package.json (the steps `npm run lint` runs), and the type check.
const { scripts } = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'));
const CHECKS = [...Object.keys(scripts).filter((name) => name.startsWith('lint:')), 'typecheck'];

function run(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '-s', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const output = Buffer.concat(chunks).toString().trimEnd();
      process.stdout.write(`── ${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds} s\n${output ? `${output}\n` : ''}`);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(CHECKS.map(run));
const failed = CHECKS.filter((_, i) => !results[i]);
if (failed.length > 0) {
  process.stdout.write(`checks failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
