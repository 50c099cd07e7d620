/**
 * @module
 * A browser signed in by a phone that holds some token (the company's, or a built-in user's):
 * the QR is created, scanned and confirmed with that token, and the browser polls its ticket
 * and exchanges it, as the website would. Also the env that points qrlogin at a test provider.
 */
import { API, type CheckData, HEADERS, type UserInfoData } from '../../../shared/http';
import { type Api, dataOf } from '../api';
import { confirm, gene, scan } from '../flow';
import type { TestIdp } from './index';

/** The resource server whose access tokens qrlogin accepts (the provider makes them JWTs). */
export const SHOP_API = 'https://api.shop.test';

/** qrlogin's environment for `idp`: JWTs of its issuer for {@link SHOP_API}, and introspection. */
export function idpEnv(idp: TestIdp, options: { jwt?: boolean; introspection?: boolean } = {}): Record<string, string> {
  const { jwt = true, introspection = true } = options;
  return {
    ...(jwt ? { USER_TOKEN_ISSUER: idp.issuer, USER_TOKEN_AUDIENCE: SHOP_API } : {}),
    ...(introspection
      ? {
          USER_TOKEN_INTROSPECTION_URL: idp.introspectionUrl,
          USER_TOKEN_INTROSPECTION_CLIENT_ID: idp.clientId,
          USER_TOKEN_INTROSPECTION_CLIENT_SECRET: idp.clientSecret,
        }
      : {}),
  };
}

/** The whole login with the phone's `token`; the exchanged user with its ID token. */
export async function signInWith(http: Api, token: string): Promise<UserInfoData> {
  const qr = await gene(http);
  await scan(http, token, qr.random);
  await confirm(http, token, qr.random);
  const secret = { [HEADERS.secret]: qr.secret };
  const check = dataOf(await http.get<CheckData>(`${API.check}?random=${qr.random}`, secret));
  if (check.ticket === null) throw new Error(`no ticket at status ${check.status}`);
  return dataOf(await http.post<UserInfoData>(API.userinfo, { ticket: check.ticket }, secret));
}
