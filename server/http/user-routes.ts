/**
 * @module
 * The built-in directory's `register` and `login` (PROTOCOL §3).
 */
import type { RateLimiter } from '../ratelimit/limiter';
import { Router } from 'express';
import { API } from '../../shared/http';
import type { UserService } from '../services/users';
import { sendOk } from './envelope';
import { loginBody, parse, registerBody } from './validation';

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

  return router;
}
