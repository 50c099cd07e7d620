/**
 * @module
 * The parent's side of the idle fleet (bench/fleet.ts), a child process reached over IPC.
 */
import { once } from 'node:events';
import type { FleetMode, GrownMessage } from '../fleet';
import { type BenchProcess, bundle, startProcess } from './processes';

export interface Fleet {
  /** Connects until `count` waiting browsers are held in all; fails if any could not connect. */
  grow(count: number, mode: FleetMode, urls: string[]): Promise<void>;
  /** Disconnects every waiting browser. */
  closeAll(): Promise<void>;
  process: BenchProcess;
  stop(): Promise<void>;
}

export async function startFleet(): Promise<Fleet> {
  const file = await bundle('bench/fleet.ts');
  const proc = await startProcess({ name: 'idle fleet', args: ['--max-old-space-size=4096', file], ipc: true });
  return {
    process: proc,
    async grow(count, mode, urls) {
      proc.child.send({ grow: count, mode, urls });
      const [answer] = (await once(proc.child, 'message')) as [GrownMessage];
      if (answer.failed !== 0 || answer.held < count) {
        throw new Error(`idle fleet: ${answer.held} of ${count} held, ${answer.failed} failed${answer.error ? `: ${answer.error}` : ''}`);
      }
    },
    async closeAll() {
      proc.child.send({ close: true });
      await once(proc.child, 'message');
    },
    stop: () => proc.stop(5000),
  };
}
