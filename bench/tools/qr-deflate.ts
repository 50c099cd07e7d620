/**
 * What deflating the QR image's pixel rows costs (server/http/qr-png.ts): zlib's defaults at
 * level 9 (before) and 6, beside smaller windows and hash tables, over the rows of 50 login QRs
 * (each its own random), 3,000 deflates each, one after the other in one process; CPU time of
 * this process per deflate, and the mean compressed bytes. Every setting is checked to inflate
 * back to the same rows.
 *   node scripts/run-ts.mjs bench/tools/qr-deflate.ts
 */
import { deflateSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { DEFLATE_OPTIONS, qrPixelRows } from '../../server/http/qr-png';
import { loginQrText } from '../lib/qr-text';

const N = 3000;
const text = loginQrText;
const rows = Array.from({ length: 50 }, () => qrPixelRows(text()).rows);

const settings: [string, ZlibOptions][] = [
  ['level 9, zlib defaults (before)', { level: 9 }],
  ['level 6, zlib defaults', { level: 6 }],
  ['level 9, windowBits 9, memLevel 1', { level: 9, windowBits: 9, memLevel: 1 }],
  ['level 9, windowBits 10, memLevel 4', { level: 9, windowBits: 10, memLevel: 4 }],
  ['level 9, windowBits 9, memLevel 3 (now)', { ...DEFLATE_OPTIONS }],
];
for (const [name, options] of settings) {
  for (const row of rows) if (!inflateSync(deflateSync(row, options)).equals(row)) throw new Error(`${name}: does not inflate back`);
  const bytes = rows.reduce((total, row) => total + deflateSync(row, options).length, 0) / rows.length;
  for (let i = 0; i < 300; i += 1) deflateSync(rows[i % rows.length] ?? Buffer.alloc(0), options);
  const start = process.cpuUsage();
  for (let i = 0; i < N; i += 1) deflateSync(rows[i % rows.length] ?? Buffer.alloc(0), options);
  const used = process.cpuUsage(start);
  console.log(`${name.padEnd(40)} ${((used.user + used.system) / N / 1000).toFixed(3)} ms CPU  ${bytes.toFixed(0)} bytes`);
}
