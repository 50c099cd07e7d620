#!/usr/bin/env node
// Fails when a source file (tracked, or new and not ignored) is over 300 lines: a file that
// long holds more than one responsibility. Part of `npm run lint`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_LINES = 300;
const SOURCE = /\.(ts|tsx|mjs|cjs|js)$/;
const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' });
const over = listed
  .split('\n')
  .filter((path) => SOURCE.test(path) && !path.startsWith('dist/'))
  .map((path) => {
    try {
      return { path, lines: readFileSync(path, 'utf8').split('\n').length - 1 };
    } catch {
      return { path, lines: 0 }; // listed but deleted in the working tree
    }
  })
  .filter(({ lines }) => lines > MAX_LINES);
for (const { path, lines } of over) console.error(`${path}: ${lines} lines (at most ${MAX_LINES})`);
if (over.length > 0) process.exit(1);
