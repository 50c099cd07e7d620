/**
 * The QR image at `gene`'s `url` (issue 17): a small 1-bit PNG that a QR reader (jsqr, reading
 * pixels as a phone camera does) decodes to exactly the text `gene` says is encoded, with the
 * customData of the QR too; `Cache-Control: public` until the QR's deadline and an `ETag`, so a
 * browser or CDN asking again with `If-None-Match` gets 304 and no body.
 */
import { PNG } from 'pngjs';
import { API, type GeneData } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { decodeQrPng } from '../helpers/browser';
import { useServer } from '../helpers/server';

const server = useServer();

async function newQr(body: Record<string, unknown> = {}): Promise<GeneData> {
  return dataOf(await api(server().url).post<GeneData>(API.gene, body));
}

test('the image is a 1-bit PNG of at most 256 px that reads as the QR text gene announced, custom data included', async () => {
  for (const body of [{}, { customData: { from: 'kiosk-7', note: 'x'.repeat(300) } }]) {
    const qr = await newQr(body);
    const answer = await fetch(qr.url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/png');
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const png = Buffer.from(await answer.arrayBuffer());
    const header = PNG.sync.read(png);
    expect(header.width).toBe(header.height);
    expect(header.width).toBeLessThanOrEqual(256);
    // Bit depth 1, grayscale (IHDR bytes 24 and 25).
    expect([png[24], png[25]]).toEqual([1, 0]);
    expect(decodeQrPng(png)).toBe(qr.qrcode);
  }
});

test('cached publicly until the deadline, with an ETag: asked again with If-None-Match, 304 and no body', async () => {
  const qr = await newQr();
  const first = await fetch(qr.url);
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  expect(etag).toMatch(/^"qr-[\w-]+"$/);
  const cacheControl = first.headers.get('cache-control') ?? '';
  expect(cacheControl).toMatch(/^public, max-age=\d+, immutable$/);
  const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
  expect(maxAge).toBeGreaterThan(qr.expiresIn - 5);
  expect(maxAge).toBeLessThanOrEqual(qr.expiresIn);

  for (const ifNoneMatch of [etag ?? '', `W/${etag}`, `"other", ${etag}`]) {
    const again = await fetch(qr.url, { headers: { 'if-none-match': ifNoneMatch } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    expect(again.headers.get('etag')).toBe(etag);
  }
  const other = await newQr();
  const stale = await fetch(other.url, { headers: { 'if-none-match': etag ?? '' } });
  expect(stale.status).toBe(200);
  expect(decodeQrPng(Buffer.from(await stale.arrayBuffer()))).toBe(other.qrcode);
});
