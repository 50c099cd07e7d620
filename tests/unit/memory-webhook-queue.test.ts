/**
 * The webhook queue contract against the in-process queue (server/backend/memory/webhook-queue.ts,
 * used by the memory and embedded backends) on a fake clock.
 */
import { MemoryWebhookQueue } from '../../server/backend/memory/webhook-queue';
import { webhookQueueContract } from '../contract/webhook-queue.contract';
import { movableClock } from '../helpers/time';

webhookQueueContract('memory', async () => {
  const clock = movableClock(Date.UTC(2030, 0, 1));
  return { queue: new MemoryWebhookQueue(clock.now), clock, cleanup: async () => {} };
});
