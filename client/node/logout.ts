/**
 * @module
 * `verifyLogoutToken`: checks the `logout_token` qrlogin POSTs to a website's back-channel
 * logout URL when the user signs that browser out from the phone (OpenID Connect Back-Channel
 * Logout 1.0), and returns its claims — the `sid` to end.
 */
import { jwtVerify } from 'jose';
import { checkLogoutToken, type LogoutTokenClaims } from '../../shared/logout-token';
import { QrLoginTokenError } from './errors';
import { keySetOf } from './key-sets';
import { DEFAULT_ALGORITHMS, type VerifyIdTokenOptions, classify } from './verify';

export type { LogoutTokenClaims } from '../../shared/logout-token';

/** The same options as {@link verifyIdToken}: qrlogin's `issuer`, your app id as `audience`, and the optional ones. */
export type VerifyLogoutTokenOptions = VerifyIdTokenOptions;

/**
 * Verifies a back-channel logout token (Back-Channel Logout 1.0 §2.6): the signature against
 * the issuer's JWKS (the same cached key set as {@link verifyIdToken}), `iss`, `aud` = your
 * app id, the algorithm, `exp` when present, the header `typ` `logout+jwt` (or none), then the
 * claims: `events` with the back-channel logout member, no `nonce`, `sid` or `sub`, `iat`,
 * `jti`. An ID token (no `events`, `typ: JWT`) or a phone's user token is refused.
 *
 * @returns the claims: end the session whose ID token had this `sid` (without `sid`, every
 *   session of `sub`).
 * @throws {QrLoginTokenError} `invalid` (answer 400), `expired` (400), or `unreachable` — the
 *   keys could not be fetched: answer 5xx so qrlogin retries. The message never contains the
 *   token.
 *
 * @example
 * app.post('/backchannel-logout', express.urlencoded({ extended: false }), async (req, res) => {
 *   res.set('Cache-Control', 'no-store');
 *   try {
 *     const { sid } = await verifyLogoutToken(req.body.logout_token, { issuer, audience: 'shop' });
 *     endSessionsWithSid(sid);
 *     res.sendStatus(200);
 *   } catch (error) {
 *     res.status(error.code === 'unreachable' ? 503 : 400).json({ error: 'invalid_request' });
 *   }
 * });
 */
export async function verifyLogoutToken(token: string, options: VerifyLogoutTokenOptions): Promise<LogoutTokenClaims> {
  if (typeof token !== 'string' || token.length === 0) throw new QrLoginTokenError('invalid', 'Logout token refused: no token given');
  if (!options?.issuer || !options.audience) throw new TypeError('verifyLogoutToken: `issuer` and `audience` are required');
  try {
    const keys = await keySetOf(options.issuer, options.jwksUri);
    const { payload, protectedHeader } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      clockTolerance: options.clockTolerance ?? 5,
      // §2.4: `exp` is required (jose checks it only when present); `iat` and `jti` too.
      requiredClaims: ['iat', 'exp', 'jti'],
    });
    const check = checkLogoutToken(payload, protectedHeader as unknown as Record<string, unknown>);
    if (!check.ok) throw new QrLoginTokenError('invalid', `Logout token refused: ${check.problem}`);
    return check.claims;
  } catch (error) {
    throw classify(error, 'Logout token');
  }
}
