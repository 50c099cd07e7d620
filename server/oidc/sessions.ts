/**
 * @module
 * The provider's browser sessions as the phone's sign-out sees them, read from and ended in
 * the OIDC store itself (the adapter's storage, adapter.ts): a `Session` entry holds its `uid`,
 * its account and one authorization per client, `{sid, grantId}`. Ending a session revokes
 * each grant (its codes and tokens) and deletes the session, so the browser's next
 * authorization request finds no sign-in and shows the QR again.
 */
import type { OidcPayload, OidcStore } from '../backend/stores';
import type { ProviderSessions } from '../services/sign-ins';

const SESSION = 'Session';
const GRANT = 'Grant';

interface Authorization {
  sid?: unknown;
  grantId?: unknown;
}

const authorizationsOf = (payload: OidcPayload): [string, Authorization][] =>
  Object.entries((payload.authorizations ?? {}) as Record<string, Authorization>);

export function providerSessions(store: OidcStore): ProviderSessions {
  return {
    async find(uid) {
      const session = await store.findByUid(SESSION, uid);
      if (!session || typeof session.accountId !== 'string') return null;
      const sids = new Map<string, string>();
      for (const [clientId, { sid }] of authorizationsOf(session)) if (typeof sid === 'string') sids.set(clientId, sid);
      return { accountId: session.accountId, sids };
    },

    async end(uid) {
      const session = await store.findByUid(SESSION, uid);
      if (!session) return;
      for (const [, { grantId }] of authorizationsOf(session)) {
        if (typeof grantId !== 'string') continue;
        await store.revokeByGrantId(grantId);
        await store.destroy(GRANT, grantId);
      }
      if (typeof session.jti === 'string') await store.destroy(SESSION, session.jti);
    },
  };
}
