/**
 * The webhook queue's contract (`WebhookQueue`, server/backend/webhook-queue.ts), one suite for
 * every implementation: tests/unit/memory-webhook-queue.test.ts and
 * tests/integration/redis-webhook-queue.test.ts call `webhookQueueContract(name, factory)`.
 * Time is a movable clock the queue reads (both implementations take their owner's clock), so
 * due times and leases are exact and nothing waits. `sibling` (another instance on the same
 * queue, at the same time) is asked of shared implementations only.
 */
import type { WebhookQueue } from '../../server/backend/webhook-queue';
import type { MovableClock } from '../helpers/time';
import { unique } from './store-fixtures';

export interface WebhookQueueUnderTest {
  queue: WebhookQueue;
  clock: MovableClock;
  /** Another instance's queue on the same state (same clock). */
  sibling?(): Promise<WebhookQueue>;
  cleanup(): Promise<void>;
}

const LEASE = 10_000;

export function webhookQueueContract(name: string, factory: () => Promise<WebhookQueueUnderTest>, shared = false): void {
  describe(`webhook queue contract: ${name}`, () => {
    let sut: WebhookQueueUnderTest;
    let queue: WebhookQueue;
    const now = () => sut.clock.now();
    const id = () => `msg_${unique()}`;
    beforeEach(async () => {
      sut = await factory();
      queue = sut.queue;
    });
    afterEach(() => sut.cleanup());

    test('a job is claimed once its due time has come, with its data and attempt 1', async () => {
      const job = id();
      expect(await queue.add(job, '{"n":1}', now() + 1_000)).toBe(true);
      expect(await queue.claim(10, LEASE)).toEqual([]);
      sut.clock.advance(999);
      expect(await queue.claim(10, LEASE)).toEqual([]);
      sut.clock.advance(1);
      const [claimed, ...rest] = await queue.claim(10, LEASE);
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({ id: job, data: '{"n":1}', attempt: 1 });
      expect(claimed?.lease).toMatch(/\S{16,}/);
      expect(await queue.count()).toBe(1);
    });

    test('adding an id that is queued already changes nothing', async () => {
      const job = id();
      await queue.add(job, 'first', now());
      expect(await queue.add(job, 'second', now() - 5_000)).toBe(false);
      expect(await queue.claim(10, LEASE)).toEqual([expect.objectContaining({ id: job, data: 'first' })]);
      expect(await queue.count()).toBe(1);
    });

    test('at most max jobs per claim, earliest due first', async () => {
      const [a, b, c] = [id(), id(), id()];
      await queue.add(b, 'b', now() - 200);
      await queue.add(c, 'c', now() - 100);
      await queue.add(a, 'a', now() - 300);
      expect((await queue.claim(2, LEASE)).map((job) => job.data)).toEqual(['a', 'b']);
      expect((await queue.claim(2, LEASE)).map((job) => job.data)).toEqual(['c']);
      expect(await queue.claim(0, LEASE)).toEqual([]);
    });

    test('a claimed job is no one else’s until its lease ends; then it is claimed again and the old lease is void', async () => {
      const job = id();
      await queue.add(job, 'data', now());
      const [first] = await queue.claim(10, LEASE);
      sut.clock.advance(LEASE - 1);
      expect(await queue.claim(10, LEASE)).toEqual([]);
      sut.clock.advance(1);
      const [second] = await queue.claim(10, LEASE);
      expect(second).toMatchObject({ id: job, attempt: 2 });
      expect(second?.lease).not.toBe(first?.lease);
      const stale = first?.lease ?? '';
      expect(await queue.complete(job, stale)).toBe(false);
      expect(await queue.retry(job, stale, now())).toBe(false);
      expect(await queue.release(job, stale)).toBe(false);
      expect(await queue.renew([{ id: job, lease: stale }], LEASE)).toEqual([]);
      expect(await queue.count()).toBe(1);
      expect(await queue.complete(job, second?.lease ?? '')).toBe(true);
      expect(await queue.count()).toBe(0);
    });

    test('renew keeps a held job past its first lease; only the holder renews', async () => {
      const [kept, other] = [id(), id()];
      await queue.add(kept, 'k', now());
      await queue.add(other, 'o', now());
      const jobs = await queue.claim(10, LEASE);
      const held = jobs.find((job) => job.id === kept);
      sut.clock.advance(LEASE - 1);
      expect(
        await queue.renew(
          [
            { id: kept, lease: held?.lease ?? '' },
            { id: other, lease: 'not-its-lease' },
          ],
          LEASE,
        ),
      ).toEqual([kept]);
      sut.clock.advance(LEASE - 1);
      // `other` was not renewed: its lease has ended and it is claimed again; `kept` is still held.
      expect((await queue.claim(10, LEASE)).map((job) => job.id)).toEqual([other]);
      sut.clock.advance(1);
      expect((await queue.claim(10, LEASE)).map((job) => job.id)).toEqual([kept]);
    });

    test('complete removes the job for good', async () => {
      const job = id();
      await queue.add(job, 'data', now());
      const [claimed] = await queue.claim(10, LEASE);
      expect(await queue.complete(job, claimed?.lease ?? '')).toBe(true);
      expect(await queue.complete(job, claimed?.lease ?? '')).toBe(false);
      sut.clock.advance(LEASE * 2);
      expect(await queue.claim(10, LEASE)).toEqual([]);
      expect(await queue.count()).toBe(0);
      // The id may be used again once it has left.
      expect(await queue.add(job, 'again', now())).toBe(true);
    });

    test('retry waits until its due time, counts the attempt, and may replace the data', async () => {
      const job = id();
      await queue.add(job, 'check', now());
      const [first] = await queue.claim(10, LEASE);
      expect(await queue.retry(job, first?.lease ?? '', now() + 5_000, 'event')).toBe(true);
      expect(await queue.retry(job, first?.lease ?? '', now() + 5_000)).toBe(false);
      sut.clock.advance(4_999);
      expect(await queue.claim(10, LEASE)).toEqual([]);
      sut.clock.advance(1);
      const [second] = await queue.claim(10, LEASE);
      expect(second).toMatchObject({ id: job, data: 'event', attempt: 2 });
      expect(await queue.retry(job, second?.lease ?? '', now())).toBe(true);
      expect(await queue.claim(10, LEASE)).toEqual([expect.objectContaining({ data: 'event', attempt: 3 })]);
    });

    test('release gives the job back at once without counting the claim', async () => {
      const job = id();
      await queue.add(job, 'data', now());
      const [first] = await queue.claim(10, LEASE);
      expect(await queue.release(job, first?.lease ?? '')).toBe(true);
      expect(await queue.claim(10, LEASE)).toEqual([expect.objectContaining({ id: job, attempt: 1 })]);
    });

    test('release with a due time gives the job back then, still without counting the claim', async () => {
      const job = id();
      await queue.add(job, 'data', now());
      const [first] = await queue.claim(10, LEASE);
      expect(await queue.release(job, first?.lease ?? '', now() + 2_000)).toBe(true);
      sut.clock.advance(1_999);
      expect(await queue.claim(10, LEASE)).toEqual([]);
      sut.clock.advance(1);
      expect(await queue.claim(10, LEASE)).toEqual([expect.objectContaining({ id: job, attempt: 1 })]);
    });

    test('a share per group: a group at its share is skipped, its jobs stay due in order for a later claim', async () => {
      const [a1, a2, a3, b1, none] = [id(), id(), id(), id(), id()];
      await queue.add(a1, 'a1', now() - 300, 'A');
      await queue.add(a2, 'a2', now() - 290, 'A');
      await queue.add(a3, 'a3', now() - 280, 'A');
      await queue.add(b1, 'b1', now() - 100, 'B');
      await queue.add(none, 'none', now() - 50);
      const share = (held: [string, number][], window = 100) => ({ perGroup: 2, held: new Map(held), window });
      // A holds one already: room for one more of A in this claim.
      expect((await queue.claim(10, LEASE, share([['A', 1]]))).map((job) => job.data)).toEqual(['a1', 'b1', 'none']);
      expect(await queue.claim(10, LEASE, share([['A', 2]]))).toEqual([]);
      expect((await queue.claim(10, LEASE, share([]))).map((job) => job.data)).toEqual(['a2', 'a3']);
      expect(await queue.count()).toBe(5);
    });

    test('a share looks at the first `window` due jobs only; without a share, max alone counts', async () => {
      const jobs = [id(), id(), id()];
      for (const [i, job] of jobs.entries()) await queue.add(job, `a${i}`, now() - 300 + i, 'A');
      const late = id();
      await queue.add(late, 'b', now() - 10, 'B');
      const share = (window: number) => ({ perGroup: 1, held: new Map([['A', 1]]), window });
      expect(await queue.claim(10, LEASE, share(3))).toEqual([]);
      expect((await queue.claim(10, LEASE, share(4))).map((job) => job.data)).toEqual(['b']);
      expect((await queue.claim(2, LEASE)).map((job) => job.data)).toEqual(['a0', 'a1']);
    });

    if (!shared) return;

    test('another instance sees the same jobs, and concurrent claims never share one', async () => {
      const other = (await sut.sibling?.()) ?? queue;
      const ids = Array.from({ length: 40 }, id);
      for (const job of ids) await queue.add(job, job, now());
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? queue : other).claim(7, LEASE)));
      const claimed = claims.flat().map((job) => job.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect([...claimed].sort()).toEqual([...ids].sort());
      expect(await other.count()).toBe(40);
    });

    test('a job held by an instance that stopped renewing is taken by another once the lease ends', async () => {
      const other = (await sut.sibling?.()) ?? queue;
      const job = id();
      await queue.add(job, 'data', now());
      const [first] = await queue.claim(10, LEASE);
      expect(await other.claim(10, LEASE)).toEqual([]);
      sut.clock.advance(LEASE);
      const [taken] = await other.claim(10, LEASE);
      expect(taken).toMatchObject({ id: job, attempt: 2 });
      expect(await queue.complete(job, first?.lease ?? '')).toBe(false);
      expect(await other.complete(job, taken?.lease ?? '')).toBe(true);
    });
  });
}
