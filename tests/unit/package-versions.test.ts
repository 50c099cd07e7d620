/**
 * The npm packages under client/ move together: one version (the server's), each package's
 * dependency on another pinned to it (scripts/set-version.mjs writes them all), and every
 * manifest ships what a consumer needs (ESM entry, types, README) and nothing of the server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  workspaces?: string[];
  exports?: Record<string, unknown>;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const ROOT = join(__dirname, '..', '..');
const read = (dir: string): Manifest => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
const root = read('.');
const dirs = root.workspaces ?? [];
const SERVER_PACKAGES = ['express', 'redis', 'socket.io', '@socket.io/redis-adapter', 'jsonwebtoken', 'lmdb', 'zod', 'oidc-provider'];

test('the workspaces are the four packages, and the root package stays the (private) server', () => {
  expect(dirs.map((dir) => read(dir).name).sort()).toEqual(['@qrlogin/mobile', '@qrlogin/node', '@qrlogin/react', '@qrlogin/web']);
  expect(root.name).toBe('qrlogin');
  expect(root.private).toBe(true);
});

test.each(dirs)('%s has the server’s version and pins its sibling packages to it', (dir) => {
  const pkg = read(dir);
  expect(pkg.version).toBe(root.version);
  expect(pkg.private).toBeUndefined();
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (name.startsWith('@qrlogin/')) expect(range).toBe(root.version);
  }
});

test.each(dirs)('%s ships ESM with types and a README, and depends on no server package', (dir) => {
  const pkg = read(dir);
  expect(pkg.type).toBe('module');
  expect(pkg.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  expect(pkg.files).toEqual(['dist', 'README.md', 'LICENSE']);
  expect(existsSync(join(ROOT, dir, 'README.md'))).toBe(true);
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  expect(deps.filter((dep) => SERVER_PACKAGES.includes(dep))).toEqual([]);
});
