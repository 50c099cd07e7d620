/**
 * The sign-in store contract against the memory store (server/backend/memory/sign-in-store.ts)
 * on a fake clock, plus what only a fake clock can pin: the exact end of a record and the sweep.
 */
import { MemorySignInStore } from '../../server/backend/memory/sign-in-store';
import { signInFixture, signInStoreContract } from '../contract/sign-in-store.contract';
import { movableClock } from '../helpers/time';

const START = Date.UTC(2030, 0, 1);

signInStoreContract('memory', async () => {
  const clock = movableClock(START);
  return { signIns: new MemorySignInStore(clock.now), clock, cleanup: async () => {} };
});

describe('MemorySignInStore with a fake clock', () => {
  it('a record is there 1 ms before its expireAt and gone exactly at it', async () => {
    const clock = movableClock(START);
    const signIns = new MemorySignInStore(clock.now);
    const record = signInFixture('u1', START, { expireAt: START + 10_000 });
    await signIns.add(record, 5);
    clock.set(START + 9_999);
    expect(await signIns.get('u1', record.id)).toStrictEqual(record);
    clock.set(START + 10_000);
    expect(await signIns.get('u1', record.id)).toBeNull();
    expect(await signIns.list('u1')).toStrictEqual([]);
  });

  it('sweep() drops ended records for good (observable by moving the clock back)', async () => {
    const clock = movableClock(START);
    const signIns = new MemorySignInStore(clock.now);
    const gone = signInFixture('u1', START, { expireAt: START + 1_000 });
    const kept = signInFixture('u1', START - 1, { expireAt: START + 60_000 });
    await signIns.add(gone, 5);
    await signIns.add(kept, 5);
    clock.set(START + 2_000);
    signIns.sweep();
    clock.set(START);
    expect(await signIns.get('u1', gone.id)).toBeNull();
    expect(await signIns.list('u1')).toStrictEqual([kept]);
  });
});
