/**
 * @module
 * `QrLoginTokenError`, the failure of `verifyIdToken` (an ID token refused, or its keys out of
 * reach); its message never contains the token. A refused or failed call to qrlogin is the
 * `QrLoginError` all the SDKs share (client/common/http.ts: the envelope `code`, `0` without
 * an answer).
 */

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
