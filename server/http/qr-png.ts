/**
 * @module
 * The QR as a small PNG, cheaply: the code's modules from `qrcode`, written as a 1-bit
 * grayscale PNG at a whole number of pixels per module, compressed with zlib. About 0.2 ms of
 * CPU and 700 bytes for a login QR, where `qrcode`'s own PNG writer (8-bit RGBA through pngjs)
 * costs 5–10 ms and 3.8 kB (BENCHMARKS.md, "The QR image"). Two choices make `qrcode` itself
 * cheap, each standard:
 * - the text is one byte-mode segment: `qrcode`'s search for the mix of modes that fits the
 *   smallest version costs five times the rest of the encoding, and saves one version (4
 *   modules a side) for a login QR;
 * - a fixed mask pattern: the standard lets an encoder use any of its eight; searching for the
 *   one with the lowest penalty score costs more again, and only helps with data that is
 *   regular, which a random QR's is not. Readers (phone cameras, jsqr) read every pattern.
 */
import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';

/** The mask pattern of every image (0–7, all valid). */
const MASK_PATTERN = 2;
/** Quiet zone, in modules (the standard asks for 4; 2 is what `qrcode` drew and phones read). */
const MARGIN = 2;
/** The image is at most this wide, at a whole number of pixels per module. */
const MAX_WIDTH = 256;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/**
 * How the pixel rows are deflated. A row is 33 bytes and a module's rows repeat, so a 512-byte
 * window (`windowBits` 9) finds every repeat, and the small window and hash table
 * (`memLevel` 3) are what make it cheap: zlib's defaults set up 256 kB of state per call for
 * these 8 kB. Measured on login QRs: 0.07–0.09 ms and 663 bytes a deflate, against 0.13 ms and
 * 760 bytes with the defaults at level 9 (bench/runs/2026-12-04-qr-deflate.txt). Any PNG decoder
 * reads a smaller window: the zlib header says which.
 */
export const DEFLATE_OPTIONS = Object.freeze({ level: 9, windowBits: 9, memLevel: 3 });

/** A QR code of `text` (error correction M, as the widget draws it) as PNG pixel rows: each a filter byte 0, then 1 bit a pixel (1 = white). */
export function qrPixelRows(text: string): { width: number; rows: Buffer } {
  const { modules } = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
    maskPattern: MASK_PATTERN,
  });
  const size = modules.size;
  const scale = Math.max(1, Math.floor(MAX_WIDTH / (size + 2 * MARGIN)));
  const width = (size + 2 * MARGIN) * scale;
  // Each row: filter byte 0, then one bit per pixel, 1 = white.
  const stride = 1 + Math.ceil(width / 8);
  const raw = Buffer.alloc(stride * width, 0xff);
  for (let y = 0; y < width; y++) raw[y * stride] = 0;
  for (let row = 0; row < size; row++) {
    const start = (row + MARGIN) * scale * stride;
    for (let column = 0; column < size; column++) {
      if (!modules.get(row, column)) continue;
      const x0 = (column + MARGIN) * scale;
      for (let x = x0; x < x0 + scale; x++) raw[start + 1 + (x >> 3)] = (raw[start + 1 + (x >> 3)] ?? 0) & ~(0x80 >> (x & 7));
    }
    // The module row's other pixel rows are the same.
    for (let k = 1; k < scale; k++) raw.copy(raw, start + k * stride, start, start + stride);
  }
  return { width, rows: raw };
}

/** The PNG of a QR code of `text`. */
export function renderQrPng(text: string): Buffer {
  const { width, rows } = qrPixelRows(text);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, DEFLATE_OPTIONS)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
