/**
 * The phone page scanning with a camera, in real Chromium: the website's QR is read off its
 * pixels, made into a fake camera clip (.y4m), and a second Chromium whose camera plays that
 * clip opens /mobile at 390×844, scans, shows who is asking, and approves. And the fallback
 * for phones without a usable camera: a photo of the QR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { API } from '../../shared/http';
import { api } from '../helpers/api';
import { launchChromium, readQrFrom } from '../helpers/browser';
import { writeQrClip } from '../helpers/fake-camera';
import { usePages, waitForStatus } from '../helpers/pages';
import { type TestServer, startServer } from '../helpers/server';

const pages = usePages();
let server: TestServer;
let dir: string;
let phoneBrowser: Browser | undefined;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'qrlogin-camera-'));
});
afterAll(async () => {
  await phoneBrowser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the phone page scans the website’s QR with the camera, shows who is asking, and approves', async () => {
  const site = await pages.page({ viewport: { width: 1100, height: 800 } });
  await site.goto(`${server.url}/`);
  await waitForStatus(site, 'pending', 10_000);
  const text = await readQrFrom(site.locator('#qrcode canvas, #qrcode img').first());
  const clip = join(dir, 'qr.y4m');
  writeQrClip(text, clip);

  phoneBrowser = await launchChromium([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${clip}`,
  ]);
  const context = await phoneBrowser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['camera'], { origin: server.url });
  const phone = await context.newPage();
  await phone.goto(`${server.url}/mobile`);
  await phone.fill('#username', `camera${Date.now()}`);
  await phone.fill('#password', 'correct horse battery');
  await phone.fill('#nickname', 'Camille');
  await phone.click('#register');
  await phone.click('#scan-camera');

  await phone.locator('#requester').waitFor({ state: 'visible' });
  await expect(phone.locator('#req-origin').textContent()).resolves.toBe(server.url);
  await waitForStatus(site, 'scanned');
  // Laid out for the phone: the decision buttons are on screen without scrolling sideways.
  const approve = await phone.locator('#approve').boundingBox();
  expect(approve).not.toBeNull();
  expect((approve?.x ?? 0) + (approve?.width ?? 0)).toBeLessThanOrEqual(390);
  await phone.click('#approve');
  await waitForStatus(site, 'confirmed');
  await site.locator('#user', { hasText: 'Camille' }).waitFor();
  await context.close();
});

test('without a camera: a photo of the website’s QR works; a photo without one says so', async () => {
  const site = await pages.page({ viewport: { width: 1100, height: 800 } });
  await site.goto(`${server.url}/`);
  await waitForStatus(site, 'pending', 10_000);
  const photo = await site.locator('#qrcode canvas, #qrcode img').first().screenshot();

  // An existing account logs in on the phone page (this one was made through the API).
  const username = `photo${Date.now()}`;
  await api(server.url).post(API.register, { username, password: 'correct horse battery', nickname: 'Photographer' });
  const phone = await pages.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(`${server.url}/mobile`);
  await phone.fill('#username', username);
  await phone.fill('#password', 'correct horse battery');
  await phone.click('#login');
  await phone.locator('#scan-view').waitFor({ state: 'visible' });
  // Laid out for 390 px: nothing scrolls sideways.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  const blank = await site.locator('h1').first().screenshot();
  await phone.setInputFiles('#qr-photo', { name: 'blank.png', mimeType: 'image/png', buffer: blank });
  await phone.locator('#error', { hasText: 'No QR code found' }).waitFor();

  await phone.setInputFiles('#qr-photo', { name: 'qr.png', mimeType: 'image/png', buffer: photo });
  await phone.locator('#requester').waitFor({ state: 'visible' });
  await phone.click('#approve');
  await waitForStatus(site, 'confirmed');
  await site.locator('#user', { hasText: 'Photographer' }).waitFor();
});
