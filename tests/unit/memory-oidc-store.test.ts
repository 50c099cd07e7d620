/**
 * The OIDC store contract against the memory store (server/backend/memory/oidc-store.ts) on a
 * fake clock, plus what only a fake clock can pin: the exact end of an entry and the sweep.
 */
import { MemoryOidcStore } from '../../server/backend/memory/oidc-store';
import { oidcStoreContract } from '../contract/oidc-store.contract';
import { movableClock } from '../helpers/time';

const START = Date.UTC(2030, 0, 1);

oidcStoreContract('memory', async () => {
  const clock = movableClock(START);
  return { oidc: new MemoryOidcStore(clock.now), clock, cleanup: async () => {} };
});

describe('MemoryOidcStore with a fake clock', () => {
  it('an entry is there 1 ms before its end and gone exactly at its end', async () => {
    const clock = movableClock(START);
    const oidc = new MemoryOidcStore(clock.now);
    await oidc.upsert('AccessToken', 'a', { jti: 'a' }, 10);
    clock.set(START + 9_999);
    expect(await oidc.find('AccessToken', 'a')).toStrictEqual({ jti: 'a' });
    clock.set(START + 10_000);
    expect(await oidc.find('AccessToken', 'a')).toBeUndefined();
  });

  it('consume stamps the clock in epoch seconds', async () => {
    const clock = movableClock(START + 1_500);
    const oidc = new MemoryOidcStore(clock.now);
    await oidc.upsert('AuthorizationCode', 'c', { jti: 'c' }, 60);
    await oidc.consume('AuthorizationCode', 'c');
    expect(await oidc.find('AuthorizationCode', 'c')).toStrictEqual({ jti: 'c', consumed: START / 1000 + 1 });
  });

  it('sweep() drops ended entries and their indexes for good (observable by moving the clock back)', async () => {
    const clock = movableClock(START);
    const oidc = new MemoryOidcStore(clock.now);
    await oidc.upsert('Session', 'gone', { uid: 'u-gone' }, 1);
    await oidc.upsert('Session', 'kept', { uid: 'u-kept' }, 60);
    clock.set(START + 2_000);
    oidc.sweep();
    clock.set(START);
    expect(await oidc.findByUid('Session', 'u-gone')).toBeUndefined();
    expect(await oidc.find('Session', 'gone')).toBeUndefined();
    expect(await oidc.findByUid('Session', 'u-kept')).toStrictEqual({ uid: 'u-kept' });
  });
});
