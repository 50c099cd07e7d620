// @ts-check
/**
 * `npm run set-version -- 0.2.0`: the packages' versions move together. Writes the version into
 * the root package.json (the server) and every workspace's, and pins each workspace's
 * dependencies on the others (`@qrlogin/react` → `@qrlogin/web`) to it; then run `npm install`
 * to refresh the lock file. tests/unit/package-versions.test.ts holds them together.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = process.argv[2];
if (!version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error('usage: npm run set-version -- <major.minor.patch[-pre]>');
  process.exit(2);
}

/** @param {string} file */
const read = async (file) => JSON.parse(await readFile(file, 'utf8'));
/** @param {string} file @param {unknown} json */
const write = (file, json) => writeFile(file, `${JSON.stringify(json, null, 2)}\n`);

const rootFile = join(root, 'package.json');
const manifest = await read(rootFile);
manifest.version = version;
await write(rootFile, manifest);
const names = new Set();
const workspaces = /** @type {string[]} */ (manifest.workspaces);
const files = workspaces.map((dir) => join(root, dir, 'package.json'));
for (const file of files) names.add((await read(file)).name);
for (const file of files) {
  const pkg = await read(file);
  pkg.version = version;
  for (const field of ['dependencies', 'peerDependencies', 'devDependencies']) {
    for (const dep of Object.keys(pkg[field] ?? {})) if (names.has(dep)) pkg[field][dep] = version;
  }
  await write(file, pkg);
}
console.log(`version ${version}: ${['qrlogin', ...names].join(', ')}`);
