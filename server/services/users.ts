/**
 * @module
 * Who the phone's user is: the built-in user directory (register, log in, its user tokens)
 * and the company's own identity provider (its access tokens, through an
 * {@link ExternalTokenVerifier}), side by side. A logout puts the token on the store's
 * denylist, which every instance reads. The QR flow needs only `authenticate`.
 */
import type { PublicUser, SessionData } from '../../shared/http';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { ExternalTokenVerifier } from '../auth/external/types';
import type { TokenService } from '../auth/tokens';
import { newUserId, sha256 } from '../domain/secrets';
import { AppError } from '../errors';
import type { Clock } from '../domain/clock';
import type { RevokedTokens, UserRecord, UserStore } from '../backend/stores';
import type { EventBus } from './events';

export interface RegisterInput {
  username: string;
  password: string;
  nickname?: string | undefined;
  photo?: string | undefined;
}

/** The public fields of a user (a stored record, or any object that carries more). */
export function toPublicUser(user: PublicUser): PublicUser {
  return {
    id: user.id,
    username: user.username,
    nickname: user.nickname,
    photo: user.photo,
    email: user.email,
    phone: user.phone,
  };
}

export interface UserDeps {
  users: UserStore;
  /** The denylist of logged-out user tokens (shared by every instance). */
  revoked: RevokedTokens;
  tokens: TokenService;
  events: EventBus;
  now: Clock;
  allowRegistration: boolean;
  /** The built-in directory: off, `register` and `login` are refused and its tokens too. @default true */
  builtinUsers?: boolean;
  /** The company's identity provider, when configured. */
  external?: ExternalTokenVerifier | null;
}

/** A phone token's user, and what a logout needs: the denylist entry and until when. */
interface Resolved {
  user: PublicUser;
  revocationId: string;
  expiresAt: number;
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: UserDeps) {
  const { users, tokens, events, revoked } = deps;

  const builtin = deps.builtinUsers ?? true;
  const external = deps.external ?? null;

  /**
   * The user behind a valid, not revoked token: a qrlogin user token (by its `typ`) goes to the
   * built-in directory, anything else to the company's identity provider. The denylist is
   * asked on every call (never cached: another instance may have revoked the token a moment
   * ago), beside the user lookup so it costs no extra round trip.
   */
  const resolve = async (token: string | null): Promise<Resolved> => {
    if (!token) throw new AppError('NOT_LOGGED_IN');
    if (tokens.isUserToken(token)) {
      if (!builtin) throw new AppError('NOT_LOGGED_IN');
      const claims = await tokens.verifyUserToken(token);
      const [record, isRevoked] = await Promise.all([users.findById(claims.sub), revoked.isRevoked(claims.jti)]);
      if (!record || isRevoked) throw new AppError('NOT_LOGGED_IN');
      return { user: toPublicUser(record), revocationId: claims.jti, expiresAt: claims.expiresAt };
    }
    if (!external) throw new AppError('NOT_LOGGED_IN');
    // The company's token may carry no `jti`: its hash names it on the denylist.
    const revocationId = `ext:${sha256(token)}`;
    // The provider's answer is mostly cached; then one round trip to the store asks both the
    // denylist and (built-in ids and `sub`s sharing one space) whether the `sub` names a
    // built-in account, which it must not act as.
    const identity = await external.verify(token);
    const [isRevoked, namesBuiltin] = await Promise.all([
      revoked.isRevoked(revocationId),
      builtin ? users.findById(identity.user.id).then((found) => found !== null) : false,
    ]);
    if (isRevoked || namesBuiltin) throw new AppError('NOT_LOGGED_IN');
    return { user: identity.user, revocationId, expiresAt: identity.expiresAt };
  };

  const session = (user: UserRecord): SessionData => {
    const signed = tokens.signUserToken(user.id);
    return { user: toPublicUser(user), token: signed.token, tokenExpiredAt: new Date(signed.expiresAt).toISOString() };
  };

  return {
    async register(input: RegisterInput): Promise<SessionData> {
      if (!builtin) throw new AppError('BUILTIN_USERS_DISABLED');
      if (!deps.allowRegistration) throw new AppError('REGISTRATION_DISABLED');
      const user: UserRecord = {
        id: newUserId(),
        username: input.username,
        passwordHash: await hashPassword(input.password),
        nickname: input.nickname?.trim() || input.username,
        photo: input.photo ?? null,
        email: null,
        phone: null,
        createdAt: deps.now(),
      };
      if (!(await users.create(user))) throw new AppError('USER_EXISTS');
      events.emit('user.registered', { userId: user.id, username: user.username });
      return session(user);
    },

    async login(username: string, password: string): Promise<SessionData> {
      if (!builtin) throw new AppError('BUILTIN_USERS_DISABLED');
      const user = await users.findByUsername(username);
      // verifyPassword spends the same time for unknown users, so timing reveals nothing.
      if (!(await verifyPassword(password, user?.passwordHash ?? null)) || !user) {
        // Never the username: people type their password into that box.
        events.emit('user.login_failed', { userId: user?.id ?? null });
        throw new AppError('WRONG_CREDENTIALS');
      }
      events.emit('user.login', { userId: user.id });
      return session(user);
    },

    /**
     * The user behind a phone's token (a qrlogin user token, or the company's access token);
     * `NOT_LOGGED_IN` when missing, invalid, revoked or gone, `UNAVAILABLE` when the company's
     * identity provider cannot be reached.
     */
    async authenticate(token: string | null): Promise<PublicUser> {
      return (await resolve(token)).user;
    },

    /**
     * Revokes this one token on every instance until its own expiry; the user's other tokens
     * (other phones) keep working. `NOT_LOGGED_IN` when the token is missing, invalid or
     * revoked already.
     */
    async logout(token: string | null): Promise<void> {
      const { revocationId, expiresAt } = await resolve(token);
      await revoked.revoke(revocationId, expiresAt);
    },
  };
}
