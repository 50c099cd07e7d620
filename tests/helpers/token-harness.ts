/**
 * @module
 * A token service on a fake clock with a fresh key, and what the token tests craft with it:
 * valid user-token claims, tokens signed with any key and header, and `refusal()`, which
 * asserts the one way a user token may be refused (`NOT_LOGGED_IN`, the token never echoed).
 * Shared by tests/unit/tokens.test.ts, keys.test.ts and verified-tokens.test.ts.
 */
import jwt from 'jsonwebtoken';
import { type KeySet, type SigningKey, createKeySet, generateSigningKey } from '../../server/auth/keys';
import { type IdTokenSubject, type TokenService, USER_TOKEN_AUDIENCE, USER_TOKEN_TYPE, createTokenService } from '../../server/auth/tokens';
import { AppError } from '../../server/errors';

export const ISSUER = 'https://login.example.com';
export const ID_TTL = 3600;
export const USER_TTL = 600;
export const START = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

export const USER: IdTokenSubject = {
  id: 'user-0001',
  username: 'alice',
  nickname: 'Alice',
  photo: 'https://example.com/alice.png',
  email: 'alice@example.com',
  phone: null,
};

export interface Harness {
  clock: { t: number };
  key: SigningKey;
  keys: KeySet;
  service: TokenService;
}

export function harness(key: SigningKey = generateSigningKey().key, keys: KeySet = createKeySet(key), issuer = ISSUER): Harness {
  const clock = { t: START };
  const service = createTokenService({
    issuer,
    keys,
    idTokenTtlSeconds: ID_TTL,
    userTokenTtlSeconds: USER_TTL,
    now: () => clock.t,
  });
  return { clock, key, keys, service };
}

export const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
export const nowSeconds = (h: Harness) => Math.floor(h.clock.t / 1000);

/** User-token claims that would be valid for `h` right now. */
export function userClaims(h: Harness, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds(h);
  return { sub: USER.id, aud: USER_TOKEN_AUDIENCE, iss: ISSUER, iat, exp: iat + USER_TTL, jti: 'j1', ...overrides };
}

/** Signs `claims` with `key` and an arbitrary header (default: a proper user-token header). */
export function signWith(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return jwt.sign(claims, key.privateKey, {
    algorithm: key.alg,
    header: { alg: key.alg, typ: USER_TOKEN_TYPE, kid: key.kid, ...header },
  });
}

/** Runs `verifyUserToken` and returns the AppError it must throw. */
export async function refusal(service: TokenService, token: string): Promise<AppError> {
  let thrown: unknown;
  try {
    const { sub } = await service.verifyUserToken(token);
    thrown = new Error(`accepted, sub=${sub}`);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  const error = thrown as AppError;
  expect(error.code).toBe(2020);
  expect(error.key).toBe('NOT_LOGGED_IN');
  expect(error.detail).toBeUndefined();
  if (token.length > 0) {
    expect(error.message).not.toContain(token);
    expect(error.toPayload().message).not.toContain(token);
    expect(error.toPayload('zh-CN').message).not.toContain(token);
    // Nor any of its parts (a signature or payload could be logged on its own).
    for (const part of token.split('.').filter((p) => p.length >= 8)) {
      expect(error.message).not.toContain(part);
    }
  }
  return error;
}
