/**
 * The QR deadlines contract against the in-process heap (server/backend/memory/qr-deadlines.ts,
 * used by the memory and embedded backends) on a fake clock, plus the heap under a shuffled load.
 */
import { MemoryQrDeadlines } from '../../server/backend/memory/qr-deadlines';
import { qrDeadlinesContract } from '../contract/qr-deadlines.contract';
import { movableClock } from '../helpers/time';

qrDeadlinesContract('memory', async () => {
  const clock = movableClock(Date.UTC(2030, 0, 1));
  return { deadlines: new MemoryQrDeadlines(clock.now), clock, cleanup: async () => {} };
});

test('2,000 deadlines added in a shuffled order come out in deadline order', async () => {
  const clock = movableClock(0);
  const deadlines = new MemoryQrDeadlines(clock.now);
  // A fixed permutation (multiplying by a unit mod a prime), so a failure can be replayed.
  const order = Array.from({ length: 2_000 }, (_, i) => (i * 769) % 2_003).filter((at) => at < 2_000);
  for (const at of order) await deadlines.add(`qr-${at}`, at);
  clock.set(10_000);
  const taken: string[] = [];
  for (let batch = await deadlines.takeDue(333); batch.length > 0; batch = await deadlines.takeDue(333)) taken.push(...batch);
  expect(taken).toHaveLength(order.length);
  expect(taken).toEqual([...order].sort((x, y) => x - y).map((at) => `qr-${at}`));
});
