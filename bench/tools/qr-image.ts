/**
 * What the QR image costs to render (issue 17, item 1): `qrcode`'s own PNG writer, as `/qr.png`
 * used it (8-bit RGBA through pngjs, 256 px, the best mask searched), beside the renderer that
 * serves it now (server/http/qr-png.ts: a fixed mask, 1 bit per pixel) and `qrcode`'s SVG, over
 * (also with the renderer's choices) over the same login QR texts (each with its own random, as `gene` makes them), in alternating
 * blocks so that neither side gets the machine's better moments. CPU time of this process per
 * image, and the bytes sent.
 *   node scripts/run-ts.mjs bench/tools/qr-image.ts [n=2000] [out.json]
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { renderQrPng } from '../../server/http/qr-png';
import { loginQrText } from '../lib/qr-text';

const N = Number(process.argv[2] ?? 2000);
const OUT = process.argv[3];
const BLOCK = 100;

const text = loginQrText;

type Render = (text: string) => Promise<Buffer | string>;
const renderers: Record<string, Render> = {
  'qrcode toBuffer (before)': (t) => QRCode.toBuffer(t, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 }),
  'renderQrPng (now)': async (t) => renderQrPng(t),
  'qrcode SVG': (t) => QRCode.toString(t, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 256 }),
  // The SVG with the renderer's two choices (one byte segment, a fixed mask), for a fair comparison.
  'qrcode SVG, same choices': (t) =>
    QRCode.toString([{ data: Buffer.from(t, 'utf8'), mode: 'byte' }], {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 256,
      maskPattern: 2,
    }),
};

async function main(): Promise<void> {
  const totals = new Map(Object.keys(renderers).map((name) => [name, { cpuMs: 0, bytes: 0, n: 0 }]));
  for (const render of Object.values(renderers)) for (let i = 0; i < 50; i++) await render(text());
  for (let done = 0; done < N; done += BLOCK) {
    for (const [name, render] of Object.entries(renderers)) {
      const texts = Array.from({ length: BLOCK }, text);
      const start = process.cpuUsage();
      let bytes = 0;
      for (const t of texts) bytes += Buffer.byteLength(await render(t));
      const used = process.cpuUsage(start);
      const total = totals.get(name);
      if (!total) continue;
      total.cpuMs += (used.user + used.system) / 1000;
      total.bytes += bytes;
      total.n += BLOCK;
    }
  }
  const before = totals.get('qrcode toBuffer (before)');
  const rows = [...totals].map(([name, { cpuMs, bytes, n }]) => ({
    renderer: name,
    images: n,
    cpuMsPerImage: Number((cpuMs / n).toFixed(3)),
    bytesPerImage: Math.round(bytes / n),
    cpuVsBefore: before ? Number((cpuMs / n / (before.cpuMs / before.n)).toFixed(3)) : null,
  }));
  console.table(rows);
  if (OUT) writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, n: N, rows }, null, 2)}\n`);
}

void main();
