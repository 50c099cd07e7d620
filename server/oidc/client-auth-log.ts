/**
 * @module
 * A website's backend that fails to authenticate at the OpenID Connect token endpoint (a wrong
 * app secret, an unknown client id, the wrong method) is a `warn` line with the stable
 * `event: "client_auth.refused"`, as a refused ticket exchange is `exchange.refused`: the client
 * id, the reason and what to change; never what it sent. One line a minute per client and
 * reason, so that a flood of bad requests cannot flood the log.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../logger';
import { onceEvery } from '../log-throttle';

export type ClientAuthRefusal = 'app-secret' | 'unknown-client' | 'auth-method';

const WHY: Record<ClientAuthRefusal, string> = {
  'app-secret': 'the client secret is not the app secret: check the secret your backend sends to the token endpoint',
  'unknown-client': 'no app has this client id: check the client_id your backend sends',
  'auth-method':
    'the client authenticated with a method its app does not use (a secret for a public client, or none for one with a secret)',
};

const EVERY_MS = 60_000;

/** The reason of an `invalid_client` refusal, from oidc-provider's error detail. */
function reasonOf(detail: string): ClientAuthRefusal {
  if (detail.includes('secret')) return 'app-secret';
  if (detail.includes('not found')) return 'unknown-client';
  return 'auth-method';
}

/** A `grant.error` listener for oidc-provider: logs refused client authentications. */
export function logRefusedClientAuth(logger: Logger, now: () => number = Date.now) {
  const due = onceEvery(EVERY_MS, now);
  return (ctx: KoaContextWithOIDC, error: { error?: unknown; error_detail?: unknown }): void => {
    if (error.error !== 'invalid_client') return;
    const reason = reasonOf(typeof error.error_detail === 'string' ? error.error_detail : '');
    const appId = ctx.oidc.client?.clientId ?? null;
    if (!due(`${appId ?? ''} ${reason}`)) return;
    logger.warn(`OpenID Connect client authentication refused: ${WHY[reason]}`, { event: 'client_auth.refused', appId, reason });
  };
}
