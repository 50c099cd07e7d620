/**
 * The store contract, `RevokedTokens` (server/backend/stores.ts): a `jti` denylist whose
 * entries end at their `until`.
 */
import type { RevokedTokens } from '../../server/backend/stores';
import { unique } from './store-fixtures';
import type { ContractClock, StoreUnderTest } from './store-fixtures';

export function revokedTokensContract(sut: () => StoreUnderTest): void {
  let revoked: RevokedTokens;
  let clock: ContractClock;
  beforeEach(() => {
    ({ revoked, clock } = sut());
  });

  it('a revoked jti is revoked; an unknown one is not', async () => {
    const jti = `jti-${unique()}`;
    expect(await revoked.isRevoked(jti)).toBe(false);
    await revoked.revoke(jti, clock.now() + 60_000);
    expect(await revoked.isRevoked(jti)).toBe(true);
    expect(await revoked.isRevoked(`jti-${unique()}`)).toBe(false);
  });

  it('revoking one jti leaves the others alone', async () => {
    const [a, b] = [`jti-${unique()}`, `jti-${unique()}`];
    await revoked.revoke(a, clock.now() + 60_000);
    expect(await revoked.isRevoked(a)).toBe(true);
    expect(await revoked.isRevoked(b)).toBe(false);
  });

  it('revoking again is harmless', async () => {
    const jti = `jti-${unique()}`;
    await revoked.revoke(jti, clock.now() + 60_000);
    await revoked.revoke(jti, clock.now() + 60_000);
    expect(await revoked.isRevoked(jti)).toBe(true);
  });

  it('of 20 concurrent revocations of one jti, all succeed and it is revoked', async () => {
    const jti = `jti-${unique()}`;
    await Promise.all(Array.from({ length: 20 }, () => revoked.revoke(jti, clock.now() + 60_000)));
    expect(await revoked.isRevoked(jti)).toBe(true);
  });

  // Time-dependent cases: lifetimes of ~1 s with ≥ 300 ms margins, so a Redis factory can
  // map `advance` to a real sleep and still pass reliably.
  describe('expiry', () => {
    it('a revoked jti is revoked until `until`, then vanishes', async () => {
      const jti = `jti-${unique()}`;
      await revoked.revoke(jti, clock.now() + 900);
      await clock.advance(400);
      expect(await revoked.isRevoked(jti)).toBe(true);
      await clock.advance(900);
      expect(await revoked.isRevoked(jti)).toBe(false);
    });

    it('a revocation whose `until` has passed already writes nothing', async () => {
      const jti = `jti-${unique()}`;
      await revoked.revoke(jti, clock.now() - 1);
      expect(await revoked.isRevoked(jti)).toBe(false);
    });
  });
}
