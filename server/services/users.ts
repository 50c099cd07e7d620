/**
 * @module
 * The built-in user directory: register, log in, and resolve the phone's user token.
 * Replaceable later by the company's own identity; the QR flow needs only `authenticate`.
 */
import type { PublicUser, SessionData } from '../../shared/http';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { TokenService } from '../auth/tokens';
import { newUserId } from '../domain/secrets';
import { AppError } from '../errors';
import type { Clock } from '../store/memory';
import type { UserRecord, UserStore } from '../store/types';
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
  tokens: TokenService;
  events: EventBus;
  now: Clock;
  allowRegistration: boolean;
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: UserDeps) {
  const { users, tokens, events } = deps;

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
        events.emit('user.login_failed', { username });
        throw new AppError('WRONG_CREDENTIALS');
      }
      events.emit('user.login', { userId: user.id });
      return session(user);
    },

    /** The user behind a phone's user token; `NOT_LOGGED_IN` when missing, invalid or gone. */
    async authenticate(token: string | null): Promise<UserRecord> {
      if (!token) throw new AppError('NOT_LOGGED_IN');
      const user = await users.findById(await tokens.verifyUserToken(token));
      if (!user) throw new AppError('NOT_LOGGED_IN');
      return user;
    },
  };
}
