/**
 * The `/docs` page in real Chromium (issue 16 item 3): Swagger UI, served by qrlogin itself from
 * the build output (`npm run build` first), renders the OpenAPI document's operations under the
 * pages' Content-Security-Policy (`script-src 'self'`, no inline script), with no console error,
 * no uncaught exception and no request to any other origin (no CDN, no online validator).
 */
import type { Page } from 'playwright-core';
import { snap, usePages } from '../helpers/pages';
import { useServer } from '../helpers/server';

const pages = usePages();
const server = useServer();

interface Watched {
  errors: string[];
  foreign: string[];
}

/** Records the page's console errors, uncaught exceptions and requests to other origins. */
function watch(page: Page, origin: string): Watched {
  const watched: Watched = { errors: [], foreign: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin) watched.foreign.push(request.url());
  });
  return watched;
}

test('/docs renders the operations from /openapi.json, locally, with no console error', async () => {
  const page = await pages.page();
  const origin = server().url;
  const watched = watch(page, origin);
  const response = await page.goto(`${origin}/docs`);
  expect(response?.status()).toBe(200);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');

  await page.getByText('/api/v2/qrcode/gene', { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });
  for (const path of ['/api/v2/qrcode/check', '/api/v2/sessions/{id}', '/.well-known/jwks.json']) {
    await expect(page.getByText(path, { exact: true }).first().isVisible()).resolves.toBe(true);
  }
  await expect(page.getByText('qrlogin HTTP API').first().isVisible()).resolves.toBe(true);

  // An operation opens to its description, schemas included.
  await page.getByText('/api/v2/qrcode/gene', { exact: true }).first().click();
  await page.getByText('Error codes:').first().waitFor({ state: 'visible' });
  await snap(page, 'docs-page');

  expect(watched.errors).toEqual([]);
  expect(watched.foreign).toEqual([]);
});

test("the page's files are this server's, under its security headers", async () => {
  const page = await pages.page();
  const watched = watch(page, server().url);
  const scripts: string[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.goto(`${server().url}/docs`);
  await page.getByText('/api/v2/login', { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });
  expect(scripts.sort()).toEqual(['200 /docs/init.js', '200 /docs/swagger-ui-bundle.js']);
  const script = await fetch(`${server().url}/docs/init.js`);
  expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  expect(watched.errors).toEqual([]);
});
