/**
 * @module
 * Which actions are rate limited, per what, and how much by default. Limits stop brute force
 * and floods, not people: a busy office behind one IP polling several QR codes, or a user
 * retrying quickly, stays well under them. `RATE_LIMITS` overrides them (`check=600/60,login=off`).
 */

/** A rule name: the action, and what it is counted per. */
export const RATE_RULES = [
  'gene', // per IP: QR codes created (HTTP and qr:create)
  'check', // per IP: status polls
  'subscribe', // per IP: qr:subscribe
  'userinfo', // per IP: ticket exchanges (guessing tickets)
  'ticket', // per ticket: refused exchanges of one existing ticket (wrong secrets)
  'login', // per IP: password logins (guessing passwords)
  'register', // per IP: sign-ups
  'phone', // per IP: scanned, confirm, cancel and logout, before the user token is checked
  'scanned', // per user: scans
  'decide', // per user: confirm and cancel
  'image', // per IP: QR images (GET /qr.png), each rendered at most once per QR
] as const;

export type RateRule = (typeof RATE_RULES)[number];

/** The rules counted per client address (the others per user or per ticket). */
export const IP_RULES: ReadonlySet<RateRule> = new Set(['gene', 'check', 'subscribe', 'userinfo', 'login', 'register', 'phone', 'image']);

export interface Limit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export type RateLimits = Readonly<Record<RateRule, Limit | null>>;

export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  gene: { limit: 120, windowSeconds: 60 },
  check: { limit: 1200, windowSeconds: 60 },
  subscribe: { limit: 300, windowSeconds: 60 },
  userinfo: { limit: 60, windowSeconds: 60 },
  ticket: { limit: 10, windowSeconds: 60 },
  login: { limit: 30, windowSeconds: 300 },
  register: { limit: 20, windowSeconds: 3600 },
  phone: { limit: 300, windowSeconds: 60 },
  scanned: { limit: 60, windowSeconds: 60 },
  decide: { limit: 60, windowSeconds: 60 },
  image: { limit: 300, windowSeconds: 60 },
});

/**
 * `RATE_LIMITS`: `off`, or comma-separated `rule=LIMIT/SECONDS` or `rule=off` entries over the
 * defaults. Problems are pushed to `problems`.
 */
export function parseRateLimits(text: string | undefined, problems: string[]): RateLimits {
  if (text === undefined) return DEFAULT_RATE_LIMITS;
  if (text === 'off') return Object.freeze(Object.fromEntries(RATE_RULES.map((rule) => [rule, null])) as Record<RateRule, null>);
  const limits: Record<RateRule, Limit | null> = { ...DEFAULT_RATE_LIMITS };
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)=(?:off|(\d{1,9})\/(\d{1,6}))$/.exec(entry);
    const rule = match?.[1] as RateRule | undefined;
    if (!match || !rule || !(RATE_RULES as readonly string[]).includes(rule)) {
      problems.push(`RATE_LIMITS: "${entry.slice(0, 40)}" must be rule=LIMIT/SECONDS or rule=off, rule one of ${RATE_RULES.join(', ')}`);
      continue;
    }
    const [limit, seconds] = [Number(match[2]), Number(match[3])];
    if (match[2] === undefined) limits[rule] = null;
    else if (limit < 1 || seconds < 1) problems.push(`RATE_LIMITS: ${rule} needs a limit and a window of at least 1`);
    else limits[rule] = { limit, windowSeconds: seconds };
  }
  return Object.freeze(limits);
}
