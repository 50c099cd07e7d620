/**
 * @module
 * Pages in real Chromium for the e2e tests: one browser per file, a fresh context per page,
 * all closed after each test; and waiting on the widget's status attribute.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser';

export interface PageHost {
  /** A new page in a context of its own (closed after the test). */
  page(options?: Parameters<Browser['newContext']>[0]): Promise<Page>;
}

/** Registers the jest hooks that launch Chromium and close what each test opened. */
export function usePages(): PageHost {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async page(options) {
      if (!browser) throw new Error('Chromium is not running');
      const context = await browser.newContext(options);
      context.setDefaultTimeout(8000);
      contexts.push(context);
      return context.newPage();
    },
  };
}

/** Waits for the widget's status attribute (the container may be hidden once signed in). */
export function waitForStatus(page: Page, value: string, timeout?: number): Promise<void> {
  return page.locator(`#qrcode[data-qrlogin-status="${value}"]`).waitFor({ state: 'attached', timeout });
}

/** Where e2e screenshots go (ignored by git): look at them after a run. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'screenshots');

/** Saves a screenshot of `page` (or of one element) as `name`.png under {@link SCREENSHOTS}. */
export async function snap(page: Page, name: string, selector?: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path });
}

/** A website of its own origin (127.0.0.1, a free port): `routes` maps paths to bodies, else `html`. */
export async function serveSite(
  html: string,
  routes: Record<string, { type: string; body: Buffer | string }> = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const site = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) res.writeHead(200, { 'content-type': route.type }).end(route.body);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => site.close(() => resolve())),
  };
}
