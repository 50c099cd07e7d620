/**
 * @module
 * oidc-provider's storage adapter on the active backend's OIDC store (server/backend:
 * memory, embedded, Redis): codes, sessions, grants and interactions are where every instance
 * finds them, and durable where the backend is.
 */
import { type Adapter, type AdapterFactory, type AdapterPayload, errors } from 'oidc-provider';
import type { OidcPayload, OidcStore } from '../backend/stores';

/** One adapter per model name, as oidc-provider asks for them. */
export function oidcAdapter(store: OidcStore): AdapterFactory {
  return (model: string): Adapter => ({
    upsert: (id, payload, expiresIn) => store.upsert(model, id, payload as OidcPayload, expiresIn),
    find: async (id) => (await store.find(model, id)) as AdapterPayload | undefined,
    findByUid: async (uid) => (await store.findByUid(model, uid)) as AdapterPayload | undefined,
    findByUserCode: async (userCode) => (await store.findByUserCode(model, userCode)) as AdapterPayload | undefined,
    // oidc-provider checks `consumed` before it calls this, but two instances may both pass
    // that check: only the call that really consumed it (atomic in every store) goes on.
    consume: async (id) => {
      if (!(await store.consume(model, id))) throw new errors.InvalidGrant('grant request is invalid');
    },
    destroy: (id) => store.destroy(model, id),
    revokeByGrantId: (grantId) => store.revokeByGrantId(grantId),
  });
}
