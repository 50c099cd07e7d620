/**
 * @module
 * The public keys of the company's identity provider, for its JWT access tokens: fetched from
 * `USER_TOKEN_JWKS_URL`, or from the `jwks_uri` of its discovery document (asked for on first
 * need, then kept). jose's remote key set does the fetching (a deadline, one fetch at a time,
 * the key set validated); when to fetch is decided here, on the injected clock: on first need,
 * when the keys are older than `keysMaxAgeMs`, and for a token whose `kid` is unknown (a key
 * rotation) at most once per `keysCooldownMs`.
 *
 * A token whose key the current keys do not have is refused (jose's `JWKSNoMatchingKey`) when
 * its `kid` is one the provider has served (a retired key, or one of another type), or once a
 * fetch begun after the key was first asked for came back without it. Until then it is
 * `UNAVAILABLE`, with `retryAfter` the seconds left of the cooldown: a token of a key the
 * provider has just started to sign with is not a reason for an app to sign its user in again.
 *
 * While the provider cannot be reached the last keys it served keep working, however old: the
 * tokens they verify still end at their `exp`. What cannot be decided without it (a `kid` the
 * last keys do not know, or no keys yet) is `UNAVAILABLE`; after a failed fetch the provider is
 * not asked again for `retryAfterFailureMs`, so an outage does not turn every phone request
 * into a request that waits out a deadline.
 */
import { type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors } from 'jose';
import type { Clock } from '../../domain/clock';
import { sha256 } from '../../domain/secrets';
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

/** Keys asked for and not at hand, and kids served, remembered at most this many each (the oldest forgotten first). */
const MAX_REMEMBERED = 1_000;

/** Makes room for `key` in an insertion-ordered collection of at most {@link MAX_REMEMBERED}: forgets the oldest. */
function makeRoom<K>(collection: Set<K> | Map<K, unknown>, key: K): void {
  if (collection.has(key) || collection.size < MAX_REMEMBERED) return;
  const oldest = collection.keys().next();
  if (!oldest.done) collection.delete(oldest.value);
}

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
  /** Fetches begun so far, and the number of the last one that came back with keys. */
  let fetchesBegun = 0;
  let lastGoodFetch = 0;
  /** Keys not at hand (by the hash of the header's `alg` and `kid`): how many fetches had begun when first asked for. */
  const missing = new Map<string, number>();
  /** Every `kid` of a key set the provider has served. */
  const served = new Set<string>();

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
    fetchesBegun += 1;
    const number = fetchesBegun;
    try {
      remote ??= remoteSet(options.jwksUrl ?? (await discover()));
      await remote.reload();
      const jwks = remote.jwks();
      if (!jwks) throw new Error('no key set');
      const json = JSON.stringify(jwks);
      if (json !== keys?.json) {
        for (const { kid } of jwks.keys) {
          if (typeof kid !== 'string') continue;
          served.delete(kid);
          makeRoom(served, kid);
          served.add(kid);
        }
        generation += 1;
        keys = { set: createLocalJWKSet(jwks), json, loadedAt: now() };
      } else if (keys) {
        keys.loadedAt = now();
      }
      lastGoodFetch = Math.max(lastGoodFetch, number);
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
  /** Unavailable until the provider may be asked again after a failed fetch. */
  const failedRecently = (cause: unknown) => unavailable(cause, (failedAt + timings.retryAfterFailureMs - now()) / 1000);

  /** The keys to verify with: fresh ones when due and the provider answers, else the last ones. */
  const current = async (): Promise<LocalSet> => {
    if (keys && (now() - keys.loadedAt < timings.keysMaxAgeMs || recentlyFailed())) return keys.set;
    if (!keys && recentlyFailed()) throw failedRecently(undefined);
    try {
      return await load();
    } catch (error) {
      if (keys) return keys.set;
      throw unavailable(error);
    }
  };

  /** Keys fetched now, for a `kid` the current ones do not know. */
  const refetched = async (cause: unknown): Promise<LocalSet> => {
    if (recentlyFailed()) throw failedRecently(cause);
    try {
      return await load();
    } catch (error) {
      throw unavailable(error);
    }
  };

  /** Milliseconds until an unknown key may fetch the keys again. */
  const coolingDown = () => (keys === null ? 0 : keys.loadedAt + timings.keysCooldownMs - now());

  /** How many fetches had begun when the header's key was first asked for and missing (`asked`, remembered from now on). */
  const firstMissed = (alg: unknown, kid: unknown, asked: number): number => {
    const id = sha256(JSON.stringify([alg ?? null, kid ?? null]));
    const known = missing.get(id);
    if (known !== undefined) return known;
    makeRoom(missing, id);
    missing.set(id, asked);
    return asked;
  };

  return {
    generation: () => generation,
    async key(header, token) {
      const asked = fetchesBegun;
      const set = await current();
      try {
        return await set(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        // A kid the provider has served needs no fetch: the key is retired, or not of the token's type.
        if (typeof header.kid === 'string' && served.has(header.kid)) throw error;
        const since = firstMissed(header.alg, header.kid, asked);
        // A fetch begun since the key was first asked for did not have it: refused.
        if (lastGoodFetch > since) throw error;
        if (coolingDown() > 0) throw unavailable(error, coolingDown() / 1000);
        const fresh = await refetched(error);
        // The fetch joined may have begun before: then the key is not looked up yet.
        if (lastGoodFetch <= since) throw unavailable(error, coolingDown() / 1000);
        return fresh(header, token);
      }
    },
  };
}
