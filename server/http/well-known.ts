/**
 * @module
 * `/.well-known/jwks.json` and `/.well-known/openid-configuration`: what any standard JWT
 * library needs to verify qrlogin's ID tokens.
 */
import { Router } from 'express';
import { API } from '../../shared/http';
import type { KeySet } from '../auth/keys';

export function wellKnownRoutes(keys: KeySet, issuer: string, publicUrl: string): Router {
  const router = Router();
  const publicJson = (maxAge: number) => ({
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': `public, max-age=${maxAge}`,
  });

  router.get(API.jwks, (_req, res) => {
    res.set(publicJson(300)).json(keys.jwks());
  });

  router.get(API.openidConfiguration, (_req, res) => {
    res.set(publicJson(3600)).json({
      issuer,
      jwks_uri: `${publicUrl}${API.jwks}`,
      id_token_signing_alg_values_supported: [keys.current.alg],
      subject_types_supported: ['public'],
      response_types_supported: ['id_token'],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'iat',
        'exp',
        'jti',
        'amr',
        'auth_time',
        'name',
        'nickname',
        'preferred_username',
        'picture',
        'email',
        'phone_number',
      ],
    });
  });

  return router;
}
