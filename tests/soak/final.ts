/**
 * @module
 * The end of a soak, for the waiting browsers: (1) each is connected and subscribed on its
 * current connection (waited for, bounded); (2) a sentinel sample — the browsers the storm
 * moved first — is scanned by a phone and must get the `qr:scanned` push on the socket it has
 * (the push path after the faults, not a fresh subscription), then cancelled to free the
 * phone user; (3) every one answers one more `qr:subscribe` round trip with `ok`.
 */
import { API } from '../../shared/http';
import { EVENTS } from '../../shared/protocol';
import type { Browser } from './browsers';
import type { SoakHttp } from './http';
import { type UserPool, scan } from './phones';

export interface FinalResult {
  waiting: number;
  connected: number;
  subscribed: number;
  /** How long until every waiting browser was subscribed (bounded), ms. */
  settleMs: number;
  sentinel: { sampled: number; pushed: number; failures: string[] };
  roundTrip: { ok: number; failed: Record<string, number> };
}

const SETTLE_BOUND_MS = 20_000;
const PUSH_WAIT_MS = 5_000;

/**
 * Runs `work` over `items`, `width` at a time. After a failure no new item starts; it rejects
 * with the first failure once the running ones have settled (nothing goes on behind its back).
 */
export async function eachLimited<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (next < items.length && failure === null) {
      const item = items[next++];
      if (item === undefined) continue;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

export async function finalChecks(
  waiting: readonly Browser[],
  ctx: { http: SoakHttp; users: UserPool; sentinel: number; preferred: readonly Browser[] },
): Promise<FinalResult> {
  const started = Date.now();
  while (waiting.some((browser) => !browser.isSubscribed()) && Date.now() - started < SETTLE_BOUND_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const settleMs = Date.now() - started;
  const connected = waiting.filter((browser) => browser.socket.connected).length;
  const subscribed = waiting.filter((browser) => browser.isSubscribed()).length;

  const waitingSet = new Set(waiting);
  const sample = [...new Set([...ctx.preferred.filter((browser) => waitingSet.has(browser)), ...waiting])].slice(0, ctx.sentinel);
  const failures: string[] = [];
  let pushed = 0;
  await eachLimited(sample, 8, async (browser) => {
    const lease = await ctx.users.acquire(10_000);
    if (!lease) {
      failures.push(`browser ${browser.id}: no phone user free`);
      return;
    }
    try {
      const before = browser.pushes.scanned;
      const failure = await scan(ctx.http, lease.token, browser.qr.random);
      if (failure) {
        failures.push(`browser ${browser.id}: ${failure}`);
        return;
      }
      if (await browser.until(() => browser.pushes.scanned > before, PUSH_WAIT_MS)) pushed += 1;
      else failures.push(`browser ${browser.id}: no ${EVENTS.scanned} push within ${PUSH_WAIT_MS} ms (connects ${browser.connects})`);
      await ctx.http.post(API.cancel, { random: browser.qr.random }, { authorization: `Bearer ${lease.token}` });
    } finally {
      lease.release();
    }
  });

  const failed: Record<string, number> = {};
  let ok = 0;
  await eachLimited(waiting, 200, async (browser) => {
    const ack = await browser.roundTrip(10_000);
    if (ack?.ok) ok += 1;
    else {
      const key = ack ? `code ${ack.error.code}` : browser.socket.connected ? 'no ack in 10 s' : 'not connected';
      failed[key] = (failed[key] ?? 0) + 1;
    }
  });
  return {
    waiting: waiting.length,
    connected,
    subscribed,
    settleMs,
    sentinel: { sampled: sample.length, pushed, failures },
    roundTrip: { ok, failed },
  };
}
