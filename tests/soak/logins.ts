/**
 * @module
 * One login of the steady stream: a fresh browser (QR, socket, subscribed), a phone user that
 * scans it and, after a pause for some, confirms; then the browser must hold the ticket (by
 * push, or by the snapshot of a re-subscription) within the delivery bound, and the app's
 * backend must redeem it. The record says how far it got; a confirmed login that is not both
 * delivered and redeemed is lost, and `lostPath` says where, with what the browser saw and
 * what the store says of the QR afterwards.
 */
import { API, type CheckData, HEADERS } from '../../shared/http';
import { type Browser, type BrowserContext, openBrowser } from './browsers';
import type { SoakHttp } from './http';
import { type Confirmed, type Lease, type RedeemOutcome, type UserPool, confirm, redeem, scan } from './phones';

export interface LoginContext {
  browsers: BrowserContext;
  /** The phones' and the app backend's client. */
  http: SoakHttp;
  users: UserPool;
  appSecret: string;
  /** Whether an instance logged `ticket.redeemed` for a QR (see phones.ts). */
  audited(random: string): Promise<boolean>;
  deliveryBoundMs: number;
  /** Share of phones that wait before approving, and how long (uniform, ms). */
  delayedShare: number;
  delayMs: readonly [number, number];
  /** Times in a lost login's path are given from this one (the steady phase's start). */
  t0: number;
  /** A short name for an instance's `127.0.0.1:port` (e.g. `i1:40019`). */
  nameOf(upstream: string | null): string;
}

export interface LoginRecord {
  id: number;
  random: string | null;
  startedAt: number;
  /** The phone's pause between scanning and confirming. */
  delayMs: number;
  /** Why it stopped before a confirm was answered (not a loss: nothing was confirmed). */
  abandoned: string | null;
  /** `ok`: answered 200; `proven`: a retried confirm whose QR reads confirmed (phones.ts). */
  confirm: 'ok' | 'proven' | null;
  confirmAttempts: number;
  confirmAt: number | null;
  delivered: 'push' | 'snapshot' | null;
  /** From the confirm's 200 to the browser holding the ticket (0 when it came first), ms. */
  latencyMs: number | null;
  redeem: RedeemOutcome['kind'] | null;
  /** A confirmed login not delivered and redeemed: where it was lost. */
  lostPath: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function isLost(record: LoginRecord): boolean {
  return record.confirm !== null && !(record.delivered !== null && (record.redeem === 'ok' || record.redeem === 'proven'));
}

export async function runLogin(ctx: LoginContext, id: number): Promise<LoginRecord> {
  const record: LoginRecord = {
    id,
    random: null,
    startedAt: Date.now(),
    delayMs: Math.random() < ctx.delayedShare ? Math.round(ctx.delayMs[0] + Math.random() * (ctx.delayMs[1] - ctx.delayMs[0])) : 0,
    abandoned: null,
    confirm: null,
    confirmAttempts: 0,
    confirmAt: null,
    delivered: null,
    latencyMs: null,
    redeem: null,
    lostPath: null,
  };
  let browser: Browser | null = null;
  let lease: Lease | null = null;
  try {
    browser = await openBrowser(ctx.browsers, id, 30_000);
    const { random, secret } = browser.qr;
    record.random = random;
    lease = await ctx.users.acquire(20_000);
    if (!lease) {
      record.abandoned = 'no phone user free within 20 s';
      return record;
    }
    const scanFailure = await scan(ctx.http, lease.token, random);
    if (scanFailure) {
      record.abandoned = scanFailure;
      return record;
    }
    if (record.delayMs > 0) await sleep(record.delayMs);
    const outcome = await confirm(ctx.http, lease.token, { random, secret });
    const userId = lease.userId;
    lease.release();
    if (outcome.kind === 'refused') {
      record.abandoned = outcome.detail;
      return record;
    }
    record.confirm = outcome.kind;
    record.confirmAt = outcome.at;
    record.confirmAttempts = outcome.attempts;
    const held = browser;
    await held.until(() => held.delivery !== null, Math.max(0, outcome.at + ctx.deliveryBoundMs - Date.now()));
    const delivery = held.delivery;
    if (!delivery) {
      record.lostPath = await undelivered(ctx, held, outcome);
      return record;
    }
    record.delivered = delivery.by;
    if (outcome.kind === 'ok') record.latencyMs = Math.max(0, delivery.at - outcome.at);
    const redeemed = await redeem(ctx.http, ctx.appSecret, delivery.ticket, { random, userId }, ctx.audited);
    record.redeem = redeemed.kind;
    if (redeemed.kind === 'failed') record.lostPath = redeemed.detail;
    if (redeemed.kind === 'unproven')
      record.lostPath = 'userinfo: retried after an unknown outcome, 2244, and no instance logged ticket.redeemed';
  } catch (error) {
    if (record.confirm === null) record.abandoned = message(error);
    else record.lostPath = `after the confirm: ${message(error)}`;
  } finally {
    lease?.release();
    browser?.close();
  }
  return record;
}

/** Where the confirm was answered, what the browser saw, and what `check` says of the QR now. */
async function undelivered(ctx: LoginContext, browser: Browser, confirmed: Confirmed): Promise<string> {
  const at = (time: number) => (time ? `+${time - ctx.t0} ms` : 'never');
  const seen =
    `confirm ${confirmed.kind} at ${at(confirmed.at)} by ${ctx.nameOf(confirmed.upstream)} after ${confirmed.attempts} attempts; ` +
    `no ticket at the browser ${ctx.deliveryBoundMs} ms later: its socket on ${browser.upstreams.map(ctx.nameOf).join(' then ')}, ` +
    `connected=${browser.socket.connected}, subscribed=${browser.isSubscribed()}, connects=${browser.connects}, ` +
    `disconnects=${browser.disconnects} (last ${at(browser.lastDisconnectAt)}), last subscribed ${at(browser.lastSubscribedAt)}, ` +
    `status seen ${browser.status}, pushes scanned=${browser.pushes.scanned} confirmed=${browser.pushes.confirmed}, refused=${browser.refusedCode}`;
  try {
    const { random, secret } = browser.qr;
    const check = await ctx.http.get<CheckData>(`${API.check}?random=${encodeURIComponent(random)}`, { [HEADERS.secret]: secret });
    return `${seen}; check now: code ${check.body.code}, status ${check.body.data?.status}, ticket ${check.body.data?.ticket ? 'present' : 'absent'}`;
  } catch (error) {
    return `${seen}; check failed: ${message(error)}`;
  }
}
