/**
 * @module
 * Phones: users of the built-in directory (a pool, each holding at most four undecided scans,
 * under the server's cap of five), and the phone's steps over HTTP through the balancer, each
 * retried by soakHttp. The rule for a decision whose first attempt had an unknown outcome:
 *
 * - `confirm` answered 200 is confirmed. A retried confirm answered 2243 `already_confirmed`
 *   counts as confirmed only when the QR's status, read with the browser secret (`check`),
 *   is 2 ("proven"); without an earlier unknown outcome that answer is a failure.
 * - `userinfo` answered 200 with the phone's user is redeemed. A retried one answered 2244
 *   counts as redeemed only when an instance's audit log has `ticket.redeemed` for the QR
 *   ("proven": the earlier attempt took it); otherwise it is "unproven" and counts as lost.
 */
import { API, type CheckData, type DecisionData, HEADERS, type SessionData, type UserInfoData } from '../../shared/http';
import { QR_STATUS } from '../../shared/status';
import type { SoakHttp } from './http';

/** Undecided scans one pool user holds at most (the server refuses a sixth with 429). */
const MAX_OPEN_PER_USER = 4;
const PASSWORD = 'soak correct horse battery';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface PoolUser {
  token: string;
  id: string;
  open: number;
}

export interface Lease {
  token: string;
  userId: string;
  release(): void;
}

export class UserPool {
  private cursor = 0;
  private constructor(private readonly users: PoolUser[]) {}

  /** Registers `count` users (`name` + number), a few at a time. */
  static async register(http: SoakHttp, count: number, name: string): Promise<UserPool> {
    const users: PoolUser[] = [];
    for (let first = 0; first < count; first += 4) {
      const batch = Array.from({ length: Math.min(4, count - first) }, (_, i) => registerOne(http, `${name}${first + i}`));
      for (const session of await Promise.all(batch)) users.push({ token: session.token, id: session.user.id, open: 0 });
    }
    return new UserPool(users);
  }

  get size(): number {
    return this.users.length;
  }

  /** A user with room for one more scan (round robin); null when none frees up in `timeoutMs`. */
  async acquire(timeoutMs: number): Promise<Lease | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.users.length; i += 1) {
        const user = this.users[(this.cursor + i) % this.users.length];
        if (!user || user.open >= MAX_OPEN_PER_USER) continue;
        this.cursor = (this.cursor + i + 1) % this.users.length;
        user.open += 1;
        let released = false;
        return {
          token: user.token,
          userId: user.id,
          release: () => {
            if (!released) user.open -= 1;
            released = true;
          },
        };
      }
      if (Date.now() > deadline) return null;
      await sleep(20);
    }
  }
}

async function registerOne(http: SoakHttp, username: string): Promise<SessionData> {
  const answer = await http.post<SessionData>(API.register, { username, password: PASSWORD, nickname: username });
  if (answer.body.code === 200 && answer.body.data) return answer.body.data;
  // A retried sign-up whose first attempt went through: the name is taken by us.
  if (answer.body.code === 2026 && answer.unknownBefore) {
    const login = await http.post<SessionData>(API.login, { username, password: PASSWORD });
    if (login.body.code === 200 && login.body.data) return login.body.data;
  }
  throw new Error(`register ${username}: code ${answer.body.code} ${answer.body.message}`);
}

/** `scanned`; the failure's description, or null on success (a repeat by the same user is a no-op). */
export async function scan(http: SoakHttp, token: string, random: string): Promise<string | null> {
  const answer = await http.post(API.scanned, { random }, bearer(token));
  return answer.body.code === 200 ? null : `scanned: code ${answer.body.code} ${answer.body.message}`;
}

/** `upstream`: the instance that answered the (last) confirm. */
export type Confirmed = { kind: 'ok' | 'proven'; at: number; attempts: number; upstream: string | null };
export type ConfirmOutcome = Confirmed | { kind: 'refused'; detail: string };

/** `confirm`, judged by the rule in the module comment. */
export async function confirm(http: SoakHttp, token: string, qr: { random: string; secret: string }): Promise<ConfirmOutcome> {
  const answer = await http.post<DecisionData>(API.confirm, { random: qr.random }, bearer(token));
  if (answer.body.code === 200) return { kind: 'ok', at: answer.at, attempts: answer.attempts, upstream: answer.upstream };
  const reason = (answer.body.data as { reason?: string } | null)?.reason;
  const detail = `confirm: code ${answer.body.code} ${reason ?? ''} after ${answer.attempts} attempts${answer.unknownBefore ? ' (earlier outcome unknown)' : ''}`;
  if (answer.body.code !== 2243 || reason !== 'already_confirmed' || !answer.unknownBefore) return { kind: 'refused', detail };
  const check = await http.get<CheckData>(`${API.check}?random=${encodeURIComponent(qr.random)}`, { [HEADERS.secret]: qr.secret });
  if (check.body.code === 200 && check.body.data?.status === QR_STATUS.CONFIRMED) {
    return { kind: 'proven', at: check.at, attempts: answer.attempts, upstream: answer.upstream };
  }
  return { kind: 'refused', detail: `${detail}; check says code ${check.body.code} status ${check.body.data?.status}` };
}

export type RedeemOutcome = { kind: 'ok' | 'proven' | 'unproven' } | { kind: 'failed'; detail: string };

/**
 * `userinfo` with the app's secret (server-side exchange). `audited(random)` says whether an
 * instance logged `ticket.redeemed` for the QR (waited for a little: logs arrive late).
 */
export async function redeem(
  http: SoakHttp,
  appSecret: string,
  ticket: string,
  expect: { random: string; userId: string },
  audited: (random: string) => Promise<boolean>,
): Promise<RedeemOutcome> {
  const answer = await http.post<UserInfoData>(API.userinfo, { ticket }, bearer(appSecret));
  if (answer.body.code === 200) {
    const id = answer.body.data?.id;
    return id === expect.userId ? { kind: 'ok' } : { kind: 'failed', detail: `userinfo: user ${id} instead of ${expect.userId}` };
  }
  if (answer.body.code === 2244 && answer.unknownBefore) return { kind: (await audited(expect.random)) ? 'proven' : 'unproven' };
  return { kind: 'failed', detail: `userinfo: code ${answer.body.code} ${answer.body.message} after ${answer.attempts} attempts` };
}
