/**
 * @module
 * The public keys of the company's identity provider, for its JWT access tokens: fetched from
 * `USER_TOKEN_JWKS_URL`, or from the `jwks_uri` of its discovery document (asked for on first
 * need, then kept). jose's remote key set does the fetching (a deadline, one fetch at a time,
 * the key set validated); when to fetch is decided here, on the injected clock: on first need,
 * when the keys are older than `keysMaxAgeMs`, and for a token whose `kid` is unknown (a key
 * rotation) at most once per `keysCooldownMs`.
 *
 * While the provider cannot be reached the last keys it served keep working, however old: the
 * tokens they verify still end at their `exp`. What cannot be decided without it (a `kid` the
 * last keys do not know, or no keys yet) is `UNAVAILABLE`; after a failed fetch the provider is
 * not asked again for `retryAfterFailureMs`, so an outage does not turn every phone request
 * into a request that waits out a deadline.
 */
import { type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors } from 'jose';
import type { Clock } from '../../domain/clock';
import { type ExternalTimings, type ThrottledLog, reasonOf, unavailable } from './outcome';

export interface KeySourceOptions {
  /** `USER_TOKEN_ISSUER`: where the discovery document is, and the `issuer` it must name. */
  issuer: string;
  /** `USER_TOKEN_JWKS_URL`; null: the discovery document's `jwks_uri`. */
  jwksUrl: string | null;
  now: Clock;
  log: ThrottledLog;
  timings: ExternalTimings;
}

export interface KeySource {
  /** For jose's `jwtVerify`: the key of a token's header, or jose's `JWKSNoMatchingKey`, or `UNAVAILABLE`. */
  key: JWTVerifyGetKey;
  /** Changes whenever the provider serves a different key set. */
  generation(): number;
}

type LocalSet = ReturnType<typeof createLocalJWKSet>;
type RemoteSet = ReturnType<typeof createRemoteJWKSet>;

/** OpenID Connect Discovery 1.0 §4: the document's URL; a trailing slash of the issuer is not doubled. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export function createKeySource(options: KeySourceOptions): KeySource {
  const { now, log, timings } = options;
  let remote: RemoteSet | null = null;
  let keys: { set: LocalSet; json: string; loadedAt: number } | null = null;
  let generation = 0;
  let failedAt = -Infinity;
  let pending: Promise<LocalSet> | null = null;

  const remoteSet = (url: string): RemoteSet =>
    // The cache rules of the remote set itself are not used (they run on Date.now): it only fetches.
    createRemoteJWKSet(new URL(url), { timeoutDuration: timings.requestTimeoutMs, cooldownDuration: 0, cacheMaxAge: Infinity });

  /** The discovery document's `jwks_uri`; it must name our issuer (Discovery §4.3). */
  const discover = async (): Promise<string> => {
    const response = await fetch(discoveryUrl(options.issuer), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timings.requestTimeoutMs),
    });
    if (!response.ok) throw new Error(`discovery document: HTTP ${response.status}`);
    const document: unknown = await response.json();
    if (typeof document !== 'object' || document === null) throw new Error('discovery document: not a JSON object');
    const { issuer, jwks_uri: uri } = document as { issuer?: unknown; jwks_uri?: unknown };
    if (issuer !== options.issuer) {
      log('error', 'the discovery document of USER_TOKEN_ISSUER names another issuer: check USER_TOKEN_ISSUER', {
        issuer: options.issuer,
      });
      throw new Error('discovery document: another issuer');
    }
    if (typeof uri !== 'string' || !/^https?:\/\//.test(uri)) throw new Error('discovery document: no http(s) jwks_uri');
    return uri;
  };

  /** Fetches the keys (the discovery document first, once). */
  const fetchKeys = async (): Promise<LocalSet> => {
    try {
      remote ??= remoteSet(options.jwksUrl ?? (await discover()));
      await remote.reload();
      const jwks = remote.jwks();
      if (!jwks) throw new Error('no key set');
      const json = JSON.stringify(jwks);
      if (json !== keys?.json) {
        generation += 1;
        keys = { set: createLocalJWKSet(jwks), json, loadedAt: now() };
      } else if (keys) {
        keys.loadedAt = now();
      }
      return keys.set;
    } catch (error) {
      failedAt = now();
      log('warn', 'the keys of USER_TOKEN_ISSUER could not be fetched', { issuer: options.issuer, reason: reasonOf(error) });
      throw error;
    }
  };

  /** One fetch at a time: concurrent requests wait for the same one. */
  const load = (): Promise<LocalSet> => {
    pending ??= fetchKeys().finally(() => {
      pending = null;
    });
    return pending;
  };

  const recentlyFailed = () => now() - failedAt < timings.retryAfterFailureMs;

  /** The keys to verify with: fresh ones when due and the provider answers, else the last ones. */
  const current = async (): Promise<LocalSet> => {
    if (keys && (now() - keys.loadedAt < timings.keysMaxAgeMs || recentlyFailed())) return keys.set;
    if (!keys && recentlyFailed()) throw unavailable();
    try {
      return await load();
    } catch (error) {
      if (keys) return keys.set;
      throw unavailable(error);
    }
  };

  /** Keys fetched now, for a `kid` the current ones do not know. */
  const refetched = async (cause: unknown): Promise<LocalSet> => {
    if (recentlyFailed()) throw unavailable(cause);
    try {
      return await load();
    } catch (error) {
      throw unavailable(error);
    }
  };

  return {
    generation: () => generation,
    async key(header, token) {
      const set = await current();
      try {
        return await set(header, token);
      } catch (error) {
        const coolingDown = keys !== null && now() - keys.loadedAt < timings.keysCooldownMs;
        if (!(error instanceof errors.JWKSNoMatchingKey) || coolingDown) throw error;
        return (await refetched(error))(header, token);
      }
    },
  };
}
