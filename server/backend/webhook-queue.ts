/**
 * @module
 * The webhook delivery queue's contract (server/webhooks delivers from it), implemented in
 * memory (one process: ./memory/webhook-queue.ts, also used by the embedded backend) and in
 * Redis (shared by every instance, surviving any of them: ./redis/webhook-queue.ts), checked
 * by one suite (tests/contract/webhook-queue.contract.ts).
 *
 * A job waits until its due time, is then claimed by one deliverer under a lease (a
 * visibility timeout), and leaves the queue when completed. A deliverer that dies holding a
 * job stops renewing its lease; once the lease has ended, the next claim (on any instance
 * sharing the queue) takes the job again. Every method takes the clock of the queue's owner.
 */

/** A job as a claim hands it out. */
export interface ClaimedJob {
  /** The id given to `add` (the webhook's `webhook-id`). */
  id: string;
  /** The text given to `add`, or to the last `retry` that replaced it. */
  data: string;
  /** This claim's number, 1 for the first: a claim counts, a `release` gives it back. */
  attempt: number;
  /** This claim's token: `renew`, `complete`, `retry` and `release` act only while it holds. */
  lease: string;
}

/**
 * A claim's share per group (the app): jobs of a group that holds `perGroup` jobs already
 * (`held`, plus those of this claim) are skipped, and stay queued at their due time, so the
 * group's jobs are still claimed in due order once it has room. Only the first `window` due jobs
 * are looked at.
 */
export interface ClaimLimit {
  perGroup: number;
  held: ReadonlyMap<string, number>;
  window: number;
}

export interface WebhookQueue {
  /** Whether jobs outlive this process (and are shared by the instances on the same state). */
  readonly durable: boolean;
  /**
   * Adds a job due at `dueAt` (epoch ms), of `group` (the app; default none) for a claim's limit.
   * @returns false when a job with this id is queued already (nothing is written).
   */
  add(id: string, data: string, dueAt: number, group?: string): Promise<boolean>;
  /**
   * Claims at most `max` jobs whose due time has come or whose lease has ended, earliest
   * first, each leased for `leaseMs`: no other claim gets them until the lease ends. Of any
   * number of concurrent claims, one job goes to one of them only. With `limit`, a group at its
   * share is skipped (see {@link ClaimLimit}).
   */
  claim(max: number, leaseMs: number, limit?: ClaimLimit): Promise<ClaimedJob[]>;
  /** Extends the leases still held by these claims to `leaseMs` from now; the ids renewed. */
  renew(jobs: readonly Pick<ClaimedJob, 'id' | 'lease'>[], leaseMs: number): Promise<string[]>;
  /** Removes the job (delivered, or given up); false when the lease no longer holds (nothing done). */
  complete(id: string, lease: string): Promise<boolean>;
  /** The job waits again until `dueAt`, with `data` when given; false when the lease no longer holds. */
  retry(id: string, lease: string, dueAt: number, data?: string): Promise<boolean>;
  /**
   * The job is due again at `dueAt` (default now) and this claim is not counted (shutdown, or no
   * room for its app yet); false when the lease no longer holds.
   */
  release(id: string, lease: string, dueAt?: number): Promise<boolean>;
  /** How many jobs are queued, waiting or claimed. */
  count(): Promise<number>;
}
