/**
 * The sign-in store contract against the embedded store (server/backend/embedded/sign-in-store.ts:
 * LMDB in a temporary folder per case, on a fake clock), in both `DATA_SYNC` modes, durability
 * included: what was written is there after the stores are closed and opened again. Plus the
 * sweep, which drops ended records from the disk.
 */
import { open } from 'lmdb';
import { EmbeddedSignInStore } from '../../server/backend/embedded/sign-in-store';
import { writerOf } from '../../server/backend/embedded/stores';
import type { Expiring } from '../../server/backend/embedded/write';
import { signInFixture, signInStoreContract } from '../contract/sign-in-store.contract';
import { movableClock } from '../helpers/time';
import { useTempFolders } from '../helpers/temp-folders';
import { embeddedStoreUnderTest } from '../helpers/store-under-test';

const START = Date.UTC(2030, 0, 1);
const freshDirectory = useTempFolders('qrlogin-embedded-signins-');

for (const sync of ['interval', 'commit'] as const) {
  signInStoreContract(
    `embedded (LMDB, DATA_SYNC=${sync})`,
    async () => {
      const { store, ...rest } = embeddedStoreUnderTest(freshDirectory(), START, sync, (stores) => stores.signIns);
      return { signIns: store, ...rest };
    },
    { durable: true },
  );
}

test('the sweep drops ended records from the disk and keeps live ones', async () => {
  const clock = movableClock(START);
  const env = open({ path: freshDirectory() });
  const rows = env.openDB<Expiring<string>, string>({ name: 'signins' });
  const signIns = new EmbeddedSignInStore(writerOf(env, 'interval'), rows, clock.now);
  try {
    const gone = signInFixture('u1', START, { id: 'gone', expireAt: START + 1_000 });
    const kept = signInFixture('u1', START, { id: 'kept', expireAt: START + 60_000 });
    const other = signInFixture('u2', START, { id: 'other', expireAt: START + 60_000 });
    for (const record of [gone, kept, other]) await signIns.add(record, 5);
    clock.set(START + 5_000);
    await signIns.sweep();
    expect([...rows.getKeys()]).toEqual(['2:u1\u0000kept', '2:u2\u0000other']);
    clock.set(START);
    expect(await signIns.list('u1')).toStrictEqual([kept]);
  } finally {
    await env.close();
  }
});
