/**
 * The QR deadlines' contract (`QrDeadlines`, server/backend/qr-deadlines.ts), one suite for
 * every implementation: tests/unit/memory-qr-deadlines.test.ts and
 * tests/integration/redis-qr-deadlines.test.ts call `qrDeadlinesContract(name, factory)`. Time
 * is a movable clock the deadlines read, so nothing waits. `sibling` (another instance on the
 * same deadlines) is asked of shared implementations only.
 */
import type { QrDeadlines } from '../../server/backend/qr-deadlines';
import type { MovableClock } from '../helpers/time';
import { unique } from './store-fixtures';

export interface QrDeadlinesUnderTest {
  deadlines: QrDeadlines;
  clock: MovableClock;
  /** Another instance's deadlines on the same state (same clock). */
  sibling?(): Promise<QrDeadlines>;
  cleanup(): Promise<void>;
}

export function qrDeadlinesContract(name: string, factory: () => Promise<QrDeadlinesUnderTest>, shared = false): void {
  describe(`QR deadlines contract: ${name}`, () => {
    let sut: QrDeadlinesUnderTest;
    let deadlines: QrDeadlines;
    const now = () => sut.clock.now();
    beforeEach(async () => {
      sut = await factory();
      deadlines = sut.deadlines;
    });
    afterEach(() => sut.cleanup());

    test('a QR is taken once its deadline has come, and only once', async () => {
      const qr = unique();
      await deadlines.add(qr, now() + 1_000);
      expect(await deadlines.takeDue(10)).toEqual([]);
      sut.clock.advance(999);
      expect(await deadlines.takeDue(10)).toEqual([]);
      sut.clock.advance(1);
      expect(await deadlines.takeDue(10)).toEqual([qr]);
      sut.clock.advance(60_000);
      expect(await deadlines.takeDue(10)).toEqual([]);
    });

    test('at most max per take, earliest deadline first; the rest stay for the next take', async () => {
      const [a, b, c, late] = [unique(), unique(), unique(), unique()];
      await deadlines.add(c, now() - 100);
      await deadlines.add(a, now() - 300);
      await deadlines.add(late, now() + 5_000);
      await deadlines.add(b, now() - 200);
      expect(await deadlines.takeDue(2)).toEqual([a, b]);
      expect(await deadlines.takeDue(2)).toEqual([c]);
      expect(await deadlines.takeDue(2)).toEqual([]);
      expect(await deadlines.takeDue(0)).toEqual([]);
      sut.clock.advance(5_000);
      expect(await deadlines.takeDue(2)).toEqual([late]);
    });

    test('a QR noted again keeps one deadline, the later call’s', async () => {
      const moved = unique();
      await deadlines.add(moved, now() - 10);
      await deadlines.add(moved, now() + 2_000);
      expect(await deadlines.takeDue(10)).toEqual([]);
      sut.clock.advance(2_000);
      expect(await deadlines.takeDue(10)).toEqual([moved]);
      expect(await deadlines.takeDue(10)).toEqual([]);
      const same = unique();
      await deadlines.add(same, now());
      await deadlines.add(same, now());
      expect(await deadlines.takeDue(10)).toEqual([same]);
      expect(await deadlines.takeDue(10)).toEqual([]);
    });

    if (shared) {
      test('concurrent takes on two instances share no QR, and together take every due one', async () => {
        const other = await sut.sibling?.();
        if (!other) throw new Error('a shared implementation needs sibling()');
        const due = Array.from({ length: 300 }, () => unique());
        await Promise.all(due.map((qr, i) => deadlines.add(qr, now() - i)));
        const takes = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? deadlines : other).takeDue(40)));
        const rest = [...(await deadlines.takeDue(1_000)), ...(await other.takeDue(1_000))];
        const all = [...takes.flat(), ...rest];
        expect(takes.flat()).toHaveLength(240);
        expect(all).toHaveLength(300);
        expect(new Set(all)).toEqual(new Set(due));
      });

      test('a deadline noted on one instance is taken on another', async () => {
        const other = await sut.sibling?.();
        const qr = unique();
        await deadlines.add(qr, now());
        expect(await other?.takeDue(10)).toEqual([qr]);
        expect(await deadlines.takeDue(10)).toEqual([]);
      });
    }
  });
}
