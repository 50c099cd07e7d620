/**
 * @module
 * The company's identity provider behind the seam of ./types.ts (`USER_TOKEN_*`, PROTOCOL §7).
 * A phone token shaped like a JWT (three base64url parts, a header with an `alg`) whose
 * unverified `iss` is `USER_TOKEN_ISSUER` is verified against the provider's keys
 * (./jwt-verifier.ts); any other token is asked about at the introspection endpoint
 * (./introspection.ts) when there is one. When only JWTs are configured, a JWT naming another
 * issuer is still verified (and refused for it), and anything else is refused.
 */
import type { ExternalIdentityConfig } from '../../config/identity';
import type { Clock } from '../../domain/clock';
import type { Logger } from '../../logger';
import type { ExternalTokenVerifier } from './types';
import { createIntrospector } from './introspection';
import { createJwtVerifier } from './jwt-verifier';
import { createKeySource } from './key-source';
import { DEFAULT_TIMINGS, type ExternalTimings, refused, throttledLog } from './outcome';

export type { ExternalTimings } from './outcome';

export interface ExternalVerifierOptions {
  now: Clock;
  logger: Logger;
  /** Shorter timings for tests; production uses the defaults of ./outcome.ts. */
  timings?: Partial<ExternalTimings>;
}

/** Longer tokens are refused unread (and never sent to the provider). */
export const MAX_TOKEN_LENGTH = 8 * 1024;

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the token says its issuer is, nothing verified: undefined when it is not shaped like a
 * JWT, null when it is but names no issuer.
 */
export function unverifiedIssuer(token: string): string | null | undefined {
  if (!JWS_SHAPE.test(token)) return undefined;
  const [header = '', payload = ''] = token.split('.');
  const parsedHeader = decodePart(header);
  if (!isRecord(parsedHeader) || typeof parsedHeader.alg !== 'string') return undefined;
  const claims = decodePart(payload);
  return isRecord(claims) && typeof claims.iss === 'string' ? claims.iss : null;
}

export function createExternalVerifier(config: ExternalIdentityConfig, options: ExternalVerifierOptions): ExternalTokenVerifier {
  const { now } = options;
  const timings: ExternalTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const log = throttledLog(options.logger, now);

  const jwt =
    config.issuer === null
      ? null
      : createJwtVerifier({
          issuer: config.issuer,
          audience: config.audience,
          algorithms: config.algorithms,
          keys: createKeySource({ issuer: config.issuer, jwksUrl: config.jwksUrl, now, log, timings }),
          now,
          timings,
        });
  const introspection =
    config.introspection === null
      ? null
      : createIntrospector({ endpoint: config.introspection, issuer: config.issuer, audience: config.audience, now, log, timings });

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) throw refused('token too long');
      const issuer = unverifiedIssuer(token);
      if (jwt && issuer !== undefined && (issuer === config.issuer || !introspection)) return jwt.verify(token);
      if (introspection) return introspection.verify(token);
      throw refused('not a JWT');
    },
    close() {
      jwt?.close();
      introspection?.close();
    },
  };
}
