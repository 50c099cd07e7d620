/**
 * @module
 * A website's own backend as a child process (the examples, the README trio), and the phone
 * approving the `<qr-login>` QR its page shows: read from the element's pixels, approved
 * through `@qrlogin/mobile`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { QrLoginMobileClient, parseQrCode } from '@qrlogin/mobile';
import { readQrFrom } from './browser';
import { ROOT } from './server';
import { sleep } from './time';

export interface SiteProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM to the whole process group (npm → sh → node), then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Runs `command args` in a process group of its own and resolves once its output shows `ready`. */
export async function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; ready: RegExp; timeoutMs?: number },
): Promise<SiteProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  const site: SiteProcess = {
    child,
    output: () => text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!options.ready.test(text)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await site.stop();
      throw new Error(`${command} ${args.join(' ')} did not start:\n${text}`);
    }
    await sleep(25);
  }
  return site;
}

/** Makes the repository's node_modules (express, the workspaces' @qrlogin/*) resolvable from `dir`. */
export function linkNodeModules(dir: string): void {
  const link = join(dir, 'node_modules');
  if (!existsSync(link)) symlinkSync(join(ROOT, 'node_modules'), link, 'dir');
}

/** The phone reads the QR of the page's `<qr-login>` from its pixels, registers `nickname` and approves. */
export async function approveWithPhone(page: Page, qrloginUrl: string, nickname: string): Promise<{ userId: string }> {
  const element = page.locator('qr-login');
  await page.locator('qr-login[data-qrlogin-status="pending"]').waitFor({ state: 'attached', timeout: 15_000 });
  const random = parseQrCode(await readQrFrom(element)).random;
  const phone = new QrLoginMobileClient({ host: qrloginUrl });
  const username = `shopper_${Math.random().toString(36).slice(2, 10)}`;
  const { user } = await phone.register({ username, password: 'correct horse battery', nickname });
  await phone.scanned({ random });
  await phone.confirm({ random });
  return { userId: user.id };
}
