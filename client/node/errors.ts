/**
 * @module
 * The two kinds of failure of `@qrlogin/node`; neither message ever contains a token, a
 * ticket or a secret.
 * - {@link QrLoginError}: the qrlogin server refused a call or could not be reached; `code` is
 *   the envelope code (2244 ticket invalid, expired or used; 401 wrong app secret; …) or `0`
 *   when there was no answer (as the web and mobile SDKs' `QrLoginError`).
 * - {@link QrLoginTokenError}: an ID token was refused, or its keys could not be fetched;
 *   `code` is `'expired'`, `'invalid'` or `'unreachable'`.
 */

/** A refused or failed call to qrlogin: `code` is the envelope's code, `0` for no answer. */
export class QrLoginError extends Error {
  override readonly name = 'QrLoginError';
  /** Envelope code (PROTOCOL §2: 2244, 401, 403, 429 …), or `0` for a network failure. */
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Why an ID token was refused:
 * - `expired`: its `exp` has passed (the user must scan again);
 * - `invalid`: not a qrlogin ID token for this issuer and audience (bad signature, wrong `iss`,
 *   `aud` or `typ` — a phone's user token is refused here —, malformed, unknown key);
 * - `unreachable`: the issuer's keys could not be fetched (a network failure, a timeout, an
 *   answer that is not a JWKS); try again later.
 */
export type TokenErrorCode = 'expired' | 'invalid' | 'unreachable';

export class QrLoginTokenError extends Error {
  override readonly name = 'QrLoginTokenError';
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
