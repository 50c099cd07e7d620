/**
 * The OIDC store contract against the embedded store (server/backend/embedded/oidc-store.ts:
 * LMDB in a temporary folder per case, on a fake clock), in both `DATA_SYNC` modes, durability
 * included: what was written is there after the stores are closed and opened again.
 */
import { open } from 'lmdb';
import { EmbeddedOidcStore } from '../../server/backend/embedded/oidc-store';
import { writerOf } from '../../server/backend/embedded/stores';
import type { OidcRow } from '../../server/backend/memory/oidc-store';
import { oidcStoreContract } from '../contract/oidc-store.contract';
import { movableClock } from '../helpers/time';
import { useTempFolders } from '../helpers/temp-folders';
import { embeddedStoreUnderTest } from '../helpers/store-under-test';

const START = Date.UTC(2030, 0, 1);
const freshDirectory = useTempFolders('qrlogin-embedded-oidc-');

for (const sync of ['interval', 'commit'] as const) {
  oidcStoreContract(
    `embedded (LMDB, DATA_SYNC=${sync})`,
    async () => {
      const { store, ...rest } = embeddedStoreUnderTest(freshDirectory(), START, sync, (stores) => stores.oidc);
      return { oidc: store, ...rest };
    },
    { durable: true },
  );
}

test('the sweep drops ended rows from the disk and keeps live ones', async () => {
  const clock = movableClock(START);
  const env = open({ path: freshDirectory() });
  const rows = env.openDB<OidcRow, string>({ name: 'oidc' });
  const oidc = new EmbeddedOidcStore(writerOf(env, 'interval'), rows, clock.now);
  try {
    await oidc.upsert('Session', 'gone', { uid: 'u-gone' }, 1);
    await oidc.upsert('AccessToken', 'gone-too', { grantId: 'g1' }, 1);
    await oidc.upsert('Session', 'kept', { uid: 'u-kept' }, 60);
    await oidc.upsert('Client', 'forever', { client_id: 'forever' });
    clock.set(START + 5_000);
    await oidc.sweep();
    expect([...rows.getKeys()].sort()).toEqual(['entry:Client:forever', 'entry:Session:kept', 'uid:Session:u-kept']);
  } finally {
    await env.close();
  }
});
