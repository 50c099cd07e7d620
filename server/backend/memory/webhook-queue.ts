/**
 * @module
 * The webhook queue in this process (the memory and embedded backends): the jobs are lost
 * when the process stops. A claim scans the jobs (one process's pending events: a few
 * thousand at most), earliest due first.
 */
import type { Clock } from '../../domain/clock';
import { randomToken } from '../../domain/secrets';
import type { ClaimLimit, ClaimedJob, WebhookQueue } from '../webhook-queue';

interface Entry {
  data: string;
  group: string;
  attempt: number;
  /** When it may be claimed: its due time, or the end of its lease. */
  availableAt: number;
  /** The holding claim's token; empty while it waits. */
  lease: string;
}

export class MemoryWebhookQueue implements WebhookQueue {
  readonly durable = false;
  private readonly jobs = new Map<string, Entry>();

  constructor(private readonly now: Clock = Date.now) {}

  async add(id: string, data: string, dueAt: number, group = ''): Promise<boolean> {
    if (this.jobs.has(id)) return false;
    this.jobs.set(id, { data, group, attempt: 0, availableAt: dueAt, lease: '' });
    return true;
  }

  async claim(max: number, leaseMs: number, limit?: ClaimLimit): Promise<ClaimedJob[]> {
    const now = this.now();
    const due = [...this.jobs]
      .filter(([, entry]) => entry.availableAt <= now)
      // Earliest first; equal times by id, as Redis orders a sorted set's ties.
      .sort(([a, x], [b, y]) => x.availableAt - y.availableAt || (a < b ? -1 : a > b ? 1 : 0));
    const counts = new Map(limit?.held);
    const ready: [string, Entry][] = [];
    for (const [id, entry] of limit ? due.slice(0, limit.window) : due) {
      if (ready.length >= max) break;
      const count = counts.get(entry.group) ?? 0;
      if (limit && count >= limit.perGroup) continue;
      counts.set(entry.group, count + 1);
      ready.push([id, entry]);
    }
    const lease = randomToken(16);
    return ready.map(([id, entry]) => {
      entry.attempt += 1;
      entry.lease = lease;
      entry.availableAt = now + leaseMs;
      return { id, data: entry.data, attempt: entry.attempt, lease };
    });
  }

  async renew(jobs: readonly Pick<ClaimedJob, 'id' | 'lease'>[], leaseMs: number): Promise<string[]> {
    const until = this.now() + leaseMs;
    return jobs.flatMap(({ id, lease }) => {
      const entry = this.held(id, lease);
      if (!entry) return [];
      entry.availableAt = until;
      return [id];
    });
  }

  async complete(id: string, lease: string): Promise<boolean> {
    return this.held(id, lease) !== undefined && this.jobs.delete(id);
  }

  async retry(id: string, lease: string, dueAt: number, data?: string): Promise<boolean> {
    const entry = this.held(id, lease);
    if (!entry) return false;
    entry.availableAt = dueAt;
    entry.lease = '';
    if (data !== undefined) entry.data = data;
    return true;
  }

  async release(id: string, lease: string, dueAt?: number): Promise<boolean> {
    const entry = this.held(id, lease);
    if (!entry) return false;
    entry.availableAt = dueAt ?? this.now();
    entry.lease = '';
    entry.attempt -= 1;
    return true;
  }

  async count(): Promise<number> {
    return this.jobs.size;
  }

  /** The job while `lease` holds it: claimed by that claim and not claimed again since. */
  private held(id: string, lease: string): Entry | undefined {
    const entry = this.jobs.get(id);
    return entry && lease !== '' && entry.lease === lease ? entry : undefined;
  }
}
