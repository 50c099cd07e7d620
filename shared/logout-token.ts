/**
 * @module
 * The claim checks of an OpenID Connect Back-Channel Logout 1.0 logout token (§2.4, §2.6),
 * shared by `@qrlogin/node`'s `verifyLogoutToken` and the demo website's back-channel
 * endpoint. Pure: it reads a payload (and header) whose signature, `iss`, `aud` and `exp` the
 * caller has verified already, and says whether it is a logout token — so an ID token (or any
 * other JWT of the same issuer and audience) can never pass for one.
 */

/** The member of `events` that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The header `typ` of a logout token (absent is accepted too: §2.4 only recommends it). */
export const LOGOUT_TOKEN_TYPE = 'logout+jwt';

/** The claims of a logout token that passed {@link checkLogoutToken}. */
export interface LogoutTokenClaims {
  iss?: string;
  aud?: string | string[];
  iat: number;
  exp?: number;
  jti: string;
  /** The session that ended (qrlogin always sends it: the `sid` of that sign-in's ID tokens). */
  sid?: string;
  /** The user; without `sid`, every session of this user ended. */
  sub?: string;
  events: Record<string, unknown>;
  [claim: string]: unknown;
}

/** The verdict: the claims, or what is wrong (English, names a rule, never a claim's value). */
export type LogoutTokenCheck = { ok: true; claims: LogoutTokenClaims } | { ok: false; problem: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** `typ` as RFC 8725 §3.11 compares it: case-insensitive, `application/` optional. */
function normalizedType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** What is wrong with the header, or null. */
function headerProblem(header: Record<string, unknown> | undefined): string | null {
  const typ = header?.typ;
  if (typ === undefined) return null;
  if (typeof typ !== 'string' || normalizedType(typ) !== LOGOUT_TOKEN_TYPE) return `the header typ is not ${LOGOUT_TOKEN_TYPE}`;
  return null;
}

/** What is wrong with the claims, or null. */
function claimsProblem(payload: Record<string, unknown>): string | null {
  if (!isObject(payload.events) || !Object.hasOwn(payload.events, BACKCHANNEL_LOGOUT_EVENT)) {
    return `no events claim with the member ${BACKCHANNEL_LOGOUT_EVENT} (an ID token or another JWT, not a logout token)`;
  }
  if (!isObject(payload.events[BACKCHANNEL_LOGOUT_EVENT])) return 'the back-channel logout event is not a JSON object';
  if (Object.hasOwn(payload, 'nonce')) return 'it carries a nonce, which a logout token never does';
  if (payload.sid === undefined && payload.sub === undefined) return 'neither sid nor sub';
  if (payload.sid !== undefined && !isNonEmptyString(payload.sid)) return 'sid is not a string';
  if (payload.sub !== undefined && !isNonEmptyString(payload.sub)) return 'sub is not a string';
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) return 'no iat';
  if (!isNonEmptyString(payload.jti)) return 'no jti';
  return null;
}

/**
 * Checks the Back-Channel Logout 1.0 §2.6 rules that follow the signature: `events` holds the
 * back-channel logout member as an object, no `nonce`, `sid` or `sub` (strings), `iat` and
 * `jti` present; and, when `header` is given, its `typ` is `logout+jwt` or absent.
 *
 * @example
 * const { payload, protectedHeader } = await jwtVerify(token, keys, { issuer, audience });
 * const check = checkLogoutToken(payload, protectedHeader);
 * if (!check.ok) return res.status(400).json({ error: 'invalid_request' });
 * endSession(check.claims.sid);
 */
export function checkLogoutToken(payload: unknown, header?: Record<string, unknown>): LogoutTokenCheck {
  if (!isObject(payload)) return { ok: false, problem: 'the payload is not a JSON object' };
  const problem = headerProblem(header) ?? claimsProblem(payload);
  return problem === null ? { ok: true, claims: payload as LogoutTokenClaims } : { ok: false, problem };
}
