/**
 * @module
 * Fresh folders under the system's temporary directory for one test file, all removed after
 * its tests (registers the jest `afterAll`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A function that makes a new empty folder (named `prefix…`) each time it is called. */
export function useTempFolders(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const path of made) rmSync(path, { recursive: true, force: true });
  });
  return () => {
    const path = mkdtempSync(join(tmpdir(), prefix));
    made.push(path);
    return path;
  };
}
