/**
 * The store contract, `ScanIndex` (server/backend/stores.ts): which QR codes each user holds
 * scanned and undecided. `reserve` answers `added`, `held` or `full` in one atomic step (so
 * parallel scans cannot slip past the cap), `remove` frees a place, and an entry stops counting
 * at its QR's deadline.
 */
import type { ScanIndex } from '../../server/backend/stores';
import { unique } from './store-fixtures';
import type { ContractClock, StoreUnderTest } from './store-fixtures';

export function scanIndexContract(sut: () => StoreUnderTest): void {
  let scans: ScanIndex;
  let clock: ContractClock;
  beforeEach(() => {
    ({ scans, clock } = sut());
  });

  const user = () => `U${unique()}`;
  const qr = () => `R${unique()}`;
  const inAMinute = () => clock.now() + 60_000;

  it('records a QR once: added, then held when reserved again', async () => {
    const [alice, random] = [user(), qr()];
    expect(await scans.reserve(alice, random, inAMinute(), 5)).toBe('added');
    expect(await scans.reserve(alice, random, inAMinute(), 5)).toBe('held');
  });

  it('refuses a QR beyond `max` and writes nothing; the ones held stay held', async () => {
    const alice = user();
    const [a, b, c] = [qr(), qr(), qr()];
    expect(await scans.reserve(alice, a, inAMinute(), 2)).toBe('added');
    expect(await scans.reserve(alice, b, inAMinute(), 2)).toBe('added');
    expect(await scans.reserve(alice, c, inAMinute(), 2)).toBe('full');
    // Refused means not recorded: asked again, it is still refused, not held.
    expect(await scans.reserve(alice, c, inAMinute(), 2)).toBe('full');
    expect(await scans.reserve(alice, a, inAMinute(), 2)).toBe('held');
    expect(await scans.reserve(alice, b, inAMinute(), 2)).toBe('held');
  });

  it('keeps users apart: one user at the cap does not limit another, even on the same QR', async () => {
    const [alice, bob] = [user(), user()];
    const [a, b] = [qr(), qr()];
    expect(await scans.reserve(alice, a, inAMinute(), 1)).toBe('added');
    expect(await scans.reserve(alice, b, inAMinute(), 1)).toBe('full');
    expect(await scans.reserve(bob, b, inAMinute(), 1)).toBe('added');
    expect(await scans.reserve(bob, a, inAMinute(), 1)).toBe('full');
  });

  it('remove frees the place; removing what is not held is harmless', async () => {
    const alice = user();
    const [a, b] = [qr(), qr()];
    expect(await scans.reserve(alice, a, inAMinute(), 1)).toBe('added');
    expect(await scans.reserve(alice, b, inAMinute(), 1)).toBe('full');
    await scans.remove(alice, a);
    expect(await scans.reserve(alice, b, inAMinute(), 1)).toBe('added');
    await expect(scans.remove(alice, qr())).resolves.toBeUndefined();
    await expect(scans.remove(user(), a)).resolves.toBeUndefined();
    // b is still held after the harmless removals.
    expect(await scans.reserve(alice, b, inAMinute(), 1)).toBe('held');
  });

  it('of 20 concurrent reserves of different QR codes under a cap of 5, exactly 5 are added', async () => {
    const alice = user();
    const results = await Promise.all(Array.from({ length: 20 }, () => scans.reserve(alice, qr(), inAMinute(), 5)));
    expect(results.filter((result) => result === 'added')).toHaveLength(5);
    expect(results.filter((result) => result === 'full')).toHaveLength(15);
  });

  it('of 20 concurrent reserves of one QR, one adds it and the others find it held', async () => {
    const [alice, random] = [user(), qr()];
    const results = await Promise.all(Array.from({ length: 20 }, () => scans.reserve(alice, random, inAMinute(), 5)));
    expect(results.filter((result) => result === 'added')).toHaveLength(1);
    expect(results.filter((result) => result === 'held')).toHaveLength(19);
  });

  // Time-dependent cases: lifetimes of ~1 s with ≥ 300 ms margins, so a Redis factory can
  // map `advance` to a real sleep and still pass reliably.
  describe('expiry', () => {
    it('an entry past its deadline stops counting, and is added anew when scanned again', async () => {
      const alice = user();
      const [a, b] = [qr(), qr()];
      expect(await scans.reserve(alice, a, clock.now() + 500, 1)).toBe('added');
      await clock.advance(800);
      expect(await scans.reserve(alice, b, inAMinute(), 1)).toBe('added');
      await scans.remove(alice, b);
      expect(await scans.reserve(alice, a, inAMinute(), 1)).toBe('added');
    });

    it('an entry before its deadline still counts', async () => {
      const alice = user();
      expect(await scans.reserve(alice, qr(), clock.now() + 1500, 1)).toBe('added');
      await clock.advance(700);
      expect(await scans.reserve(alice, qr(), inAMinute(), 1)).toBe('full');
    });
  });
}
