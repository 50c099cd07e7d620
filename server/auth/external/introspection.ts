/**
 * @module
 * The company's opaque access tokens, asked about at its RFC 7662 introspection endpoint:
 * `POST token=…&token_type_hint=access_token`, our client authenticated with HTTP Basic (id and
 * secret each form-encoded first, RFC 6749 §2.3.1), within a deadline.
 *
 * The answer vouches for the user when it is `active: true`, has a `sub` and an `exp` (a token
 * that never ends could never be logged out for good), is not sender-constrained (`cnf`), is
 * not another kind of token (a `token_type` other than `Bearer` or `access_token`, any case, or
 * a `token_use` other than `access_token`: a refresh token is no phone token), and,
 * where it says so, names our issuer (`iss`, when `USER_TOKEN_ISSUER` is set) and our audience
 * (`aud`, a string or an array, when `USER_TOKEN_AUDIENCE` is set). An answer without `iss` or
 * `aud` is taken at its word: the endpoint answers for its own tokens, and many leave both out.
 * So is one without `token_type` (RFC 7662 makes it optional), though some endpoints leave it out
 * for refresh tokens only (oidc-provider among them): such a provider should not let qrlogin's
 * client introspect refresh tokens (at oidc-provider, `features.introspection.allowedPolicy`).
 *
 * A 400 (e.g. `unsupported_token_type` for a JWT) refuses the token (an unusual one is logged
 * as a warning: it may be ours to fix). A 401 or 403, or a 400
 * `invalid_client`, means our client credentials are wrong: logged as an error (once a minute)
 * and answered `UNAVAILABLE`, as are an unreachable endpoint, a deadline passed, a 5xx, a
 * redirect and an answer that is not a JSON object.
 *
 * The identity's `expiresAt` is when the token stops being accepted here, its `exp` plus the
 * clock tolerance (a logout keeps it on the denylist that long). Answers are remembered by the
 * token's hash: a user until then or for `positiveCacheMs`, whichever ends first (so a token
 * revoked at the provider works here that long at most), a refusal for `negativeCacheMs`.
 * Concurrent checks of one token share one request.
 */
import type { IntrospectionConfig } from '../../config/identity';
import type { Clock } from '../../domain/clock';
import { sha256 } from '../../domain/secrets';
import type { ExternalIdentity } from './types';
import { AnswerCache } from './answer-cache';
import { CLOCK_TOLERANCE_SECONDS, type ExternalTimings, type ThrottledLog, reasonOf, refused, unavailable } from './outcome';
import { profileOf } from './profile';

export interface IntrospectorOptions {
  endpoint: IntrospectionConfig;
  /** `USER_TOKEN_ISSUER`: the `iss` an answer must name, when it names one. */
  issuer: string | null;
  /** `USER_TOKEN_AUDIENCE`: what an answer's `aud` must contain, when it has one. */
  audience: string | null;
  now: Clock;
  log: ThrottledLog;
  timings: ExternalTimings;
}

export interface Introspector {
  verify(token: string): Promise<ExternalIdentity>;
  close(): void;
}

/** The endpoint's verdict: a user, or why not (kept internal, never shown). */
type Verdict = { identity: ExternalIdentity } | { refusal: string };

/** `application/x-www-form-urlencoded`, as RFC 6749 §2.3.1 asks of a client id and secret. */
export const formEncode = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1);

/** The HTTP Basic credentials of our client at the endpoint. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `token_type` values of an access token (RFC 6749 §7.1, and RFC 8693's identifier), lower case. */
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token']);

/** Whether an answer's `token_type` or `token_use` (Ory Hydra's) says it is something other than an access token. */
function anotherKindOfToken(answer: Record<string, unknown>): boolean {
  const { token_type: type, token_use: use } = answer;
  if (type !== undefined && (typeof type !== 'string' || !ACCESS_TOKEN_TYPES.has(type.toLowerCase()))) return true;
  return use !== undefined && use !== 'access_token';
}

export function createIntrospector(options: IntrospectorOptions): Introspector {
  const { endpoint, now, log, timings } = options;
  const authorization = basicAuthorization(endpoint.clientId, endpoint.clientSecret);
  const answers = new AnswerCache<Verdict>(now);
  const asking = new Map<string, Promise<Verdict>>();

  const misconfigured = (status: number) => {
    log('error', 'the introspection endpoint refused our client credentials: check the client id and secret (USER_TOKEN_INTROSPECTION_*)', {
      url: endpoint.url,
      status,
    });
    return unavailable(`introspection: HTTP ${status}`);
  };

  /** What the endpoint says about an `active` answer. */
  const judge = (answer: Record<string, unknown>): Verdict => {
    if (answer.active !== true) return { refusal: 'inactive' };
    if (answer.cnf !== undefined) return { refusal: 'a sender-constrained token' };
    if (anotherKindOfToken(answer)) return { refusal: 'not an access token' };
    if (options.issuer !== null && answer.iss !== undefined && answer.iss !== options.issuer) return { refusal: 'another issuer' };
    if (options.audience !== null && answer.aud !== undefined) {
      const audiences: unknown[] = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
      if (!audiences.includes(options.audience)) return { refusal: 'another audience' };
    }
    const { exp } = answer;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return { refusal: 'no exp' };
    const expiresAt = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
    if (expiresAt <= now()) return { refusal: 'expired' };
    const user = profileOf(answer);
    if (user === null) return { refusal: 'no usable sub' };
    return { identity: { user, expiresAt } };
  };

  /** One request to the endpoint; `UNAVAILABLE` when it cannot decide. */
  const ask = async (token: string): Promise<Verdict> => {
    let status: number;
    let body: unknown;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { authorization, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timings.requestTimeoutMs),
      });
      status = response.status;
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    } catch (error) {
      log('warn', 'the introspection endpoint could not be reached', { url: endpoint.url, reason: reasonOf(error) });
      throw unavailable(error);
    }
    const error = isRecord(body) ? body.error : undefined;
    if (status === 401 || status === 403 || error === 'invalid_client') throw misconfigured(status);
    if (status === 400) {
      // `unsupported_token_type` (a JWT, at oidc-provider) refuses the token; anything else
      // may be ours to fix, so it is logged too.
      const code = typeof error === 'string' ? error.slice(0, 64) : 'none';
      if (code !== 'unsupported_token_type' && code !== 'invalid_token') {
        log('warn', 'the introspection endpoint refused a request', { url: endpoint.url, status, error: code });
      }
      return { refusal: `introspection: HTTP 400 ${code}` };
    }
    if (status !== 200 || !isRecord(body)) {
      log(status >= 500 || status === 429 ? 'warn' : 'error', 'the introspection endpoint gave no answer', { url: endpoint.url, status });
      throw unavailable(`introspection: HTTP ${status}`);
    }
    return judge(body);
  };

  const remember = (hash: string, verdict: Verdict) => {
    const at = now();
    const until = 'identity' in verdict ? Math.min(verdict.identity.expiresAt, at + timings.positiveCacheMs) : at + timings.negativeCacheMs;
    answers.set(hash, verdict, until);
  };

  return {
    async verify(token) {
      const hash = sha256(token);
      let verdict = answers.get(hash);
      if (verdict === undefined) {
        let pending = asking.get(hash);
        if (pending === undefined) {
          pending = ask(token).then((answer) => {
            remember(hash, answer);
            return answer;
          });
          asking.set(hash, pending);
          const forget = () => asking.delete(hash);
          pending.then(forget, forget);
        }
        verdict = await pending;
      }
      if ('refusal' in verdict) throw refused(verdict.refusal);
      return verdict.identity;
    },
    close() {
      answers.clear();
      asking.clear();
    },
  };
}
