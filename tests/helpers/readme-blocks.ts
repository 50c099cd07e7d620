/**
 * @module
 * The README's runnable snippets: its fenced blocks with a `title="file"`, which tests copy into
 * a folder of their own and run as written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server';

/** The README's text of section `heading` (`## …`), or the whole README. */
export function readmeSection(heading?: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  if (heading === undefined) return readme;
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = readme.indexOf('\n## ', start + heading.length + 5);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The titled blocks of `text` (a README section), by title, in order. */
export function titledBlocks(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of text.matchAll(/^```\w+ title="([^"]+)"\n([\s\S]*?)^```$/gm)) files.set(match[1] ?? '', match[2] ?? '');
  return files;
}

/** The README's block titled `title`; throws when there is none. */
export function readmeBlock(title: string): string {
  const block = titledBlocks(readmeSection()).get(title);
  if (block === undefined) throw new Error(`README has no block titled ${title}`);
  return block;
}
