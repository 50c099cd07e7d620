/**
 * @module
 * The phone's signed-in browsers (PROTOCOL §7): `GET /api/v2/sessions` lists them, `DELETE
 * /api/v2/sessions/:id` signs one out. The user token and the rate limits are those of
 * `scanned`: per IP before the token is checked, then per user.
 */
import { Router } from 'express';
import { API, type SessionsData, type SignOutData } from '../../shared/http';
import type { RateLimiter } from '../ratelimit/limiter';
import type { SignIns } from '../services/sign-ins';
import type { UserService } from '../services/users';
import { bearerOf } from '../edge/request-info';
import { AppError } from '../errors';
import { sendOk } from './envelope';

/** A session id as sign-ins.ts makes them (`newJti`: base64url); anything else is no session. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function sessionRoutes(users: UserService, signIns: SignIns, limiter: RateLimiter): Router {
  const router = Router();

  router.get(API.sessions, async (req, res) => {
    await limiter.take('phone', req.ip ?? '');
    const user = await users.authenticate(bearerOf(req.headers));
    await limiter.take('scanned', user.id);
    const data: SessionsData = { sessions: await signIns.list(user.id) };
    res.set('cache-control', 'no-store');
    sendOk(res, data);
  });

  router.delete(`${API.sessions}/:id`, async (req, res) => {
    await limiter.take('phone', req.ip ?? '');
    const user = await users.authenticate(bearerOf(req.headers));
    await limiter.take('scanned', user.id);
    const id = req.params.id ?? '';
    if (!SESSION_ID.test(id)) throw new AppError('NOT_FOUND', { detail: 'no such signed-in browser' });
    const data: SignOutData = { signedOut: await signIns.signOut(user.id, id) };
    sendOk(res, data);
  });

  return router;
}
