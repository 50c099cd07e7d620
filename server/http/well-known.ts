/**
 * @module
 * `/.well-known/jwks.json`: every public key a token of qrlogin's may carry, for any standard
 * JWT library. The discovery document (`/.well-known/openid-configuration`) is the OpenID
 * Connect provider's (server/oidc), whose `jwks_uri` is this.
 */
import { Router } from 'express';
import { API } from '../../shared/http';
import type { KeySet } from '../auth/keys';

export function wellKnownRoutes(keys: KeySet): Router {
  const router = Router();
  const publicJson = (maxAge: number) => ({
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': `public, max-age=${maxAge}`,
  });

  router.get(API.jwks, (_req, res) => {
    res.set(publicJson(300)).json(keys.jwks());
  });

  return router;
}
