/**
 * @module
 * The built-in directory's `register` and `login` (PROTOCOL §3), and the phone's `logout`
 * (PROTOCOL §7) and `me` (who its token signs in).
 */
import type { RateLimiter } from '../ratelimit/limiter';
import { Router } from 'express';
import { API, type MeData } from '../../shared/http';
import type { UserService } from '../services/users';
import { sendOk } from './envelope';
import { bearerOf } from '../edge/request-info';
import { loginBody, parse, registerBody } from '../edge/validation';

export function userRoutes(users: UserService, limiter: RateLimiter): Router {
  const router = Router();

  router.post(API.register, async (req, res) => {
    await limiter.take('register', req.ip ?? '');
    const body = parse(registerBody, req.body);
    sendOk(res, await users.register(body));
  });

  router.post(API.login, async (req, res) => {
    await limiter.take('login', req.ip ?? '');
    const { username, password } = parse(loginBody, req.body);
    sendOk(res, await users.login(username, password));
  });

  // The user token, as on the phone endpoints; no body. From now on that token gets 2020
  // everywhere; so does a missing, invalid or already revoked one here.
  router.post(API.logout, async (req, res) => {
    await limiter.take('phone', req.ip ?? '');
    await users.logout(bearerOf(req.headers));
    sendOk(res, {});
  });

  // Who the phone's token signs in: the phone page asks at load, to say "please sign in
  // again" at once rather than after a scan.
  router.get(API.me, async (req, res) => {
    await limiter.take('phone', req.ip ?? '');
    const data: MeData = { user: await users.authenticate(bearerOf(req.headers)) };
    sendOk(res, data);
  });

  return router;
}
