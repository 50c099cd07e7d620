/**
 * @module
 * The two kinds of JWT qrlogin signs, both with the current key of the key set:
 * - ID tokens for websites (`typ: JWT`, `aud` = app id, `amr: ["qr"]`), verifiable by any JWT
 *   library through `/.well-known/jwks.json`;
 * - user tokens for the phone (`typ: qrlogin-user+jwt`, `aud` = {@link USER_TOKEN_AUDIENCE}),
 *   accepted only by the phone endpoints. The distinct `typ` and `aud` keep one from passing
 *   for the other.
 * Verification pins the algorithm, issuer, audience and type; failures never echo the token.
 */
import jwt from 'jsonwebtoken';
import type { PublicUser } from '../../shared/http';
import { newJti } from '../domain/secrets';
import { AppError } from '../errors';
import type { KeySet } from './keys';
import { type VerifiedUserToken, VerifiedTokens } from './verified-tokens';

export type { VerifiedUserToken } from './verified-tokens';

export const USER_TOKEN_TYPE = 'qrlogin-user+jwt';
export const USER_TOKEN_AUDIENCE = 'qrlogin:user';

/** What an ID token says about its user. */
export type IdTokenSubject = PublicUser;

export interface SignedToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** The event member of a back-channel logout token (OIDC Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** The `typ` of a logout token (§2.4): not an ID token's, so one cannot pass for the other. */
export const LOGOUT_TOKEN_TYPE = 'logout+jwt';
/** A logout token is sent at once: it needs to live only as long as one delivery attempt. */
const LOGOUT_TOKEN_TTL_SECONDS = 120;

export interface TokenService {
  /** An ID token for `appId`; `sid`: the signed-in browser's session id (its sign-in record). */
  signIdToken(user: IdTokenSubject, appId: string, sid?: string): SignedToken;
  /**
   * A back-channel logout token for `aud` (the app): `sub`, `sid`, `events`, a fresh `jti`;
   * never a `nonce`.
   */
  signLogoutToken(claims: { sub: string; sid: string; aud: string }): string;
  signUserToken(userId: string): SignedToken;
  /**
   * The claims of a valid user token; throws `NOT_LOGGED_IN` otherwise. Only the signature,
   * type, issuer, audience and expiry are checked here: revocation is the caller's (it needs
   * the store, services/users.ts).
   */
  verifyUserToken(token: string): Promise<VerifiedUserToken>;
  /** Whether the token says it is a qrlogin user token (its header's `typ`); nothing is verified. */
  isUserToken(token: string): boolean;
}

export interface TokenOptions {
  issuer: string;
  keys: KeySet;
  idTokenTtlSeconds: number;
  userTokenTtlSeconds: number;
  now: () => number;
}

export function createTokenService(options: TokenOptions): TokenService {
  const { issuer, keys } = options;
  const seconds = () => Math.floor(options.now() / 1000);
  const verified = new VerifiedTokens();

  const sign = (claims: Record<string, unknown>, ttl: number, typ: string): SignedToken => {
    const iat = seconds();
    const key = keys.current;
    const token = jwt.sign({ ...claims, iss: issuer, iat, exp: iat + ttl, jti: newJti() }, key.privateKey, {
      algorithm: key.alg,
      keyid: key.kid,
      header: { alg: key.alg, typ, kid: key.kid },
    });
    return { token, expiresAt: (iat + ttl) * 1000 };
  };

  return {
    signIdToken(user, appId, sid) {
      const optional = {
        ...(user.photo ? { picture: user.photo } : {}),
        ...(user.email ? { email: user.email } : {}),
        ...(user.phone ? { phone_number: user.phone } : {}),
      };
      return sign(
        {
          sub: user.id,
          aud: appId,
          amr: ['qr'],
          auth_time: seconds(),
          name: user.nickname,
          nickname: user.nickname,
          preferred_username: user.username,
          ...optional,
          ...(sid === undefined ? {} : { sid }),
        },
        options.idTokenTtlSeconds,
        'JWT',
      );
    },

    signLogoutToken({ sub, sid, aud }) {
      return sign({ sub, sid, aud, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } }, LOGOUT_TOKEN_TTL_SECONDS, LOGOUT_TOKEN_TYPE).token;
    },

    signUserToken(userId) {
      return sign({ sub: userId, aud: USER_TOKEN_AUDIENCE }, options.userTokenTtlSeconds, USER_TOKEN_TYPE);
    },

    isUserToken(token) {
      const dot = token.indexOf('.');
      if (dot <= 0 || dot > 1024) return false;
      const header = token.slice(0, dot);
      try {
        const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
        return typeof parsed === 'object' && parsed !== null && (parsed as { typ?: unknown }).typ === USER_TOKEN_TYPE;
      } catch {
        return false;
      }
    },

    async verifyUserToken(token) {
      const remembered = verified.get(token, options.now(), (kid) => keys.verificationKey(kid));
      if (remembered !== undefined) return remembered;
      const decoded = jwt.decode(token, { complete: true });
      const kid = decoded?.header.kid;
      const key = kid === undefined ? undefined : await keys.resolve(kid);
      if (!decoded || kid === undefined || decoded.header.typ !== USER_TOKEN_TYPE || !key) throw new AppError('NOT_LOGGED_IN');
      try {
        const payload = jwt.verify(token, key.publicKey, {
          algorithms: [key.alg],
          issuer,
          audience: USER_TOKEN_AUDIENCE,
          clockTimestamp: seconds(),
        });
        // jsonwebtoken accepts a token without `exp` or `jti`; ours always carry both (a token
        // without `jti` could never be revoked), so require them.
        if (
          typeof payload === 'string' ||
          typeof payload.sub !== 'string' ||
          typeof payload.exp !== 'number' ||
          typeof payload.jti !== 'string' ||
          payload.jti.length === 0
        ) {
          throw new Error('missing sub, exp or jti');
        }
        const claims: VerifiedUserToken = { sub: payload.sub, jti: payload.jti, expiresAt: payload.exp * 1000 };
        verified.remember(token, { ...claims, kid, key });
        return claims;
      } catch (error) {
        // The library's message can name claims but never the token; keep it internal anyway.
        throw new AppError('NOT_LOGGED_IN', { cause: error });
      }
    },
  };
}
