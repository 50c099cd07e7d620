/**
 * @module
 * QR deadlines in this process (the memory and embedded backends): a binary min-heap by
 * deadline, so noting and taking cost O(log n) for the QRs of one process. A QR noted twice is
 * in the heap twice; the later time holds and the earlier entry is skipped when it comes up.
 */
import type { Clock } from '../../domain/clock';
import type { QrDeadlines } from '../qr-deadlines';

interface Entry {
  at: number;
  random: string;
}

export class MemoryQrDeadlines implements QrDeadlines {
  private readonly heap: Entry[] = [];
  /** Each noted QR's deadline; an entry of the heap that disagrees is stale. */
  private readonly current = new Map<string, number>();

  constructor(private readonly now: Clock = Date.now) {}

  async add(random: string, expireAt: number): Promise<void> {
    this.current.set(random, expireAt);
    this.push({ at: expireAt, random });
  }

  async takeDue(max: number): Promise<string[]> {
    const now = this.now();
    const taken: string[] = [];
    while (taken.length < max) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      if (this.current.get(top.random) !== top.at) continue;
      this.current.delete(top.random);
      taken.push(top.random);
    }
    return taken;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as Entry;
      if (above.at <= entry.at) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const smaller = right < heap.length && (heap[right] as Entry).at < (heap[left] as Entry).at ? right : left;
      const child = heap[smaller] as Entry;
      if (child.at >= last.at) break;
      heap[i] = child;
      i = smaller;
    }
    heap[i] = last;
  }
}
