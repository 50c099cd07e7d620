/**
 * @module
 * Real Chromium (Debian's, installed by the pretest step) driven by playwright-core, and a
 * QR reader that works like a phone camera: screenshot pixels → pngjs → jsqr.
 */
import jsQR from 'jsqr';
import { type Browser, type Locator, chromium } from 'playwright-core';
import { PNG } from 'pngjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Decodes the QR code visible in a PNG, or throws. */
export function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  if (!code) throw new Error('no QR code found in the screenshot');
  return code.data;
}

/** Reads the QR an element shows, from its pixels, as a phone camera would. */
export async function readQrFrom(element: Locator): Promise<string> {
  return decodeQrPng(await element.screenshot());
}
