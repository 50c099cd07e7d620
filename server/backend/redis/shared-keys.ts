/**
 * @module
 * The key set of instances that share one Redis. Every instance publishes the public key it
 * signs with under `<prefix>jwks` (kid → JWK and when it was last seen), and serves and
 * accepts every key published there until no token it signed can still be valid. So:
 * - with no `SIGNING_KEY`, the first instance generates one and stores it
 *   (`<prefix>signing-key`, set once); all others load it, and tokens verify everywhere;
 * - rotating `SIGNING_KEY` instance by instance keeps tokens of the old key valid; a new key
 *   is in every instance's JWKS within `refreshMs` (10 s) of its instance starting, and a user
 *   token with a kid not seen yet makes an instance reload at once.
 */
import { createPublicKey } from 'node:crypto';
import type { Logger } from '../../logger';
import type { RedisCommands } from './client';
import { redisKeys } from './keys';
import { type KeySet, type PublicJwk, type SigningKey, type VerificationKey, generateSigningKey, signingKeyFromPem } from '../../auth/keys';

interface Published {
  jwk: PublicJwk;
  /** Epoch ms the key was last announced by an instance signing with it. */
  seenAt: number;
}

export interface SharedKeySetOptions {
  client: RedisCommands;
  prefix: string;
  /** The configured key; null shares one generated key through Redis. */
  configured: SigningKey | null;
  /** How long a key stays published after its last signer announced it (≥ longest token life). */
  retainMs: number;
  /** How often this instance re-announces its key and reloads the others. @default 10 s */
  refreshMs?: number;
  now: () => number;
  logger: Logger;
}

export interface SharedKeySet {
  keys: KeySet;
  close(): void;
}

/** Unknown kids trigger a reload at most this often (garbage kids must not flood Redis). */
const MISS_RELOAD_MS = 1_000;

export async function createSharedKeySet(options: SharedKeySetOptions): Promise<SharedKeySet> {
  const { client, prefix, now, logger } = options;
  const names = redisKeys(prefix);
  const jwksKey = names.jwks;
  const current = options.configured ?? (await sharedGeneratedKey(client, names.signingKey));
  let others = new Map<string, { jwk: PublicJwk; key: VerificationKey }>();
  let lastMissReload = 0;

  const announce = async () => {
    const entry: Published = { jwk: current.jwk, seenAt: now() };
    await client.hSet(jwksKey, current.kid, JSON.stringify(entry));
  };

  const reload = async () => {
    const entries = await client.hGetAll(jwksKey);
    const next = new Map<string, { jwk: PublicJwk; key: VerificationKey }>();
    const stale: string[] = [];
    for (const [kid, text] of Object.entries(entries)) {
      if (kid === current.kid) continue;
      try {
        const { jwk, seenAt } = JSON.parse(text) as Published;
        if (seenAt + options.retainMs < now()) {
          stale.push(kid);
          continue;
        }
        // An unchanged key keeps its object: tokens it verified stay remembered (auth/verified-tokens.ts).
        const known = others.get(kid);
        next.set(
          kid,
          known && JSON.stringify(known.jwk) === JSON.stringify(jwk)
            ? known
            : { jwk, key: { publicKey: createPublicKey({ key: jwk, format: 'jwk' }), alg: jwk.alg } },
        );
      } catch (error) {
        logger.warn('ignoring an unreadable published key', { kid, error });
      }
    }
    if (stale.length > 0) await client.hDel(jwksKey, stale);
    others = next;
  };

  await announce();
  await reload();
  const timer = setInterval(() => {
    announce()
      .then(reload)
      .catch((error: unknown) => logger.warn('could not refresh the shared key set', { error }));
  }, options.refreshMs ?? 10_000);
  timer.unref();

  const own: VerificationKey = { publicKey: current.publicKey, alg: current.alg };
  const lookup = (kid: string) => (kid === current.kid ? own : others.get(kid)?.key);

  const keys: KeySet = {
    current,
    jwks: () => ({ keys: [current.jwk, ...[...others.values()].map((entry) => entry.jwk)] }),
    verificationKey: lookup,
    async resolve(kid) {
      const known = lookup(kid);
      if (known || now() - lastMissReload < MISS_RELOAD_MS) return known;
      lastMissReload = now();
      try {
        await reload();
      } catch (error) {
        logger.warn('could not reload the shared key set', { error });
      }
      return lookup(kid);
    },
  };
  return { keys, close: () => clearInterval(timer) };
}

/** The deployment's generated key: the first instance's, set once, read by all. */
async function sharedGeneratedKey(client: RedisCommands, key: string): Promise<SigningKey> {
  await client.set(key, generateSigningKey().pem, { NX: true });
  const pem = await client.get(key);
  if (pem === null) throw new Error('the shared signing key vanished from Redis');
  return signingKeyFromPem(pem.toString());
}
