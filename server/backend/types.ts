/**
 * @module
 * A backend is where the app's state lives and how its instances reach each other: the
 * stores, the signing key set, and (for several instances) the Socket.IO adapter. The
 * embedded backend (durable, in `DATA_DIR`) and the memory backend serve one instance; the
 * Redis backend serves any number.
 */
import type { ServerOptions } from 'socket.io';
import type { KeySet } from '../auth/keys';
import type { RateCounterStore } from '../ratelimit/limiter';
import type { Stores } from './stores';
import type { WebhookQueue } from './webhook-queue';

export interface Backend {
  name: 'embedded' | 'memory' | 'redis';
  /** Where the state is, for the start-up banner (a folder, a Redis address); none in memory. */
  location?: string;
  stores: Stores;
  keys: KeySet;
  /** Rate-limit counters (shared by the instances when they share the backend). */
  counters: RateCounterStore;
  /** Pending webhook deliveries (in Redis, shared by the instances; otherwise in this process). */
  webhookQueue: WebhookQueue;
  /** Socket.IO adapter that carries room emits to every instance; none for one instance. */
  adapter?: ServerOptions['adapter'];
  /** Resolves when every connection works; rejects with the reason when one does not. */
  ping(): Promise<void>;
  /**
   * Calls `listener` when cross-instance delivery resumes after an interruption (pushes
   * published meanwhile may be lost, so local subscribers are brought up to date).
   */
  onResume(listener: () => void): () => void;
  /**
   * The demo app's secret every instance of the deployment uses when none is configured: the
   * first instance's `candidate` (instances sharing a backend must agree). One instance: the
   * candidate itself.
   */
  sharedDemoSecret(candidate: string): Promise<string>;
  close(): Promise<void>;
}
