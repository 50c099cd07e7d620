/**
 * @module
 * The built-in user directory: register, log in, resolve the phone's user token, and log the
 * phone out (its token's `jti` goes on the store's denylist, which every instance reads).
 * Replaceable later by the company's own identity; the QR flow needs only `authenticate`.
 */
import type { PublicUser, SessionData } from '../../shared/http';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { TokenService, VerifiedUserToken } from '../auth/tokens';
import { newUserId } from '../domain/secrets';
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

export function toPublicUser(user: UserRecord): PublicUser {
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
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: UserDeps) {
  const { users, tokens, events, revoked } = deps;

  /**
   * The user and the claims of a valid, not revoked token. The denylist is asked on every call
   * (never cached: another instance may have revoked the token a moment ago), together with the
   * user lookup so it costs no extra round trip.
   */
  const resolve = async (token: string | null): Promise<{ user: UserRecord; claims: VerifiedUserToken }> => {
    if (!token) throw new AppError('NOT_LOGGED_IN');
    const claims = await tokens.verifyUserToken(token);
    const [user, isRevoked] = await Promise.all([users.findById(claims.sub), revoked.isRevoked(claims.jti)]);
    if (!user || isRevoked) throw new AppError('NOT_LOGGED_IN');
    return { user, claims };
  };

  const session = (user: UserRecord): SessionData => {
    const signed = tokens.signUserToken(user.id);
    return { user: toPublicUser(user), token: signed.token, tokenExpiredAt: new Date(signed.expiresAt).toISOString() };
  };

  return {
    async register(input: RegisterInput): Promise<SessionData> {
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

    /** The user behind a phone's user token; `NOT_LOGGED_IN` when missing, invalid, revoked or gone. */
    async authenticate(token: string | null): Promise<UserRecord> {
      return (await resolve(token)).user;
    },

    /**
     * Revokes this one token on every instance until its own expiry; the user's other tokens
     * (other phones) keep working. `NOT_LOGGED_IN` when the token is missing, invalid or
     * revoked already.
     */
    async logout(token: string | null): Promise<void> {
      const { claims } = await resolve(token);
      await revoked.revoke(claims.jti, claims.expiresAt);
    },
  };
}
