/**
 * @module
 * The apps with `redirectUris` as oidc-provider's static clients: client id = app id, client
 * name = app name, the registered URIs as configured. qrlogin keeps only the SHA-256 of an
 * app secret, so the client's `client_secret` is that hash, and the secret a client presents
 * is hashed before oidc-provider compares the two (client-auth.ts): the secret itself is never
 * stored, and an HMAC use of the secret (`client_secret_jwt`, HS* signing) is not offered.
 * A public client (`publicClient`) has no `client_secret` and authenticates with nothing
 * (`none`): PKCE, required of every client, binds its code to the request.
 */
import type { ClientMetadata } from 'oidc-provider';
import type { SigningAlgorithm } from '../auth/keys';
import { type AppConfig, isOidcClient, oidcApplicationType } from '../domain/app';

/** The OIDC clients among `apps` (those with redirect URIs), their ID tokens signed with `alg` (qrlogin's key). */
export function clientsOf(apps: readonly AppConfig[], alg: SigningAlgorithm): ClientMetadata[] {
  return apps.filter(isOidcClient).map((app) => ({
    client_id: app.id,
    ...(app.publicClient ? {} : { client_secret: app.secretHash }),
    client_name: app.name,
    application_type: oidcApplicationType(app),
    redirect_uris: [...app.redirectUris],
    post_logout_redirect_uris: [...app.postLogoutRedirectUris],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: app.publicClient ? 'none' : 'client_secret_basic',
    id_token_signed_response_alg: alg,
    ...(app.backchannelLogoutUri ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
  }));
}
