/**
 * @module
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time per function and per
 * area (qrlogin's own code, each npm package, Node's internals, GC, idle), so a profile can be
 * read and compared without DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  areas: { area: string; ms: number; share: number }[];
  functions: { fn: string; area: string; ms: number; share: number }[];
  /** Time with the function anywhere on the stack (its callees included), busy time only. */
  inclusive: { fn: string; area: string; ms: number; share: number }[];
}

const keyOf = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1}`;
};

function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)' || name === '(root)') return 'V8/native';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/server/') || url.endsWith('/server/index.js')) return 'qrlogin';
  return url ? 'other' : 'V8/native';
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  const areas = new Map<string, number>();
  const functions = new Map<string, { area: string; ms: number }>();
  let busy = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url } = node.callFrame;
    const area = areaOf(url, functionName);
    if (area === 'idle') continue;
    busy += ms;
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const key = keyOf(node);
    const entry = functions.get(key) ?? { area, ms: 0 };
    entry.ms += ms;
    functions.set(key, entry);
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, { area: string; ms: number }>();
  for (const [id, ms] of self) {
    const leaf = byId.get(id);
    if (!leaf || areaOf(leaf.callFrame.url, leaf.callFrame.functionName) === 'idle') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      const key = keyOf(node);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { area: areaOf(node.callFrame.url, node.callFrame.functionName), ms: 0 };
      entry.ms += ms;
      inclusive.set(key, entry);
    }
  }
  const share = (ms: number) => ms / busy;
  return {
    busyMs: busy,
    areas: [...areas].map(([area, ms]) => ({ area, ms, share: share(ms) })).sort((a, b) => b.ms - a.ms),
    functions: [...functions]
      .map(([fn, { area, ms }]) => ({ fn, area, ms, share: share(ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    inclusive: [...inclusive]
      .map(([fn, { area, ms }]) => ({ fn, area, ms, share: share(ms) }))
      .filter((entry) => entry.area !== 'V8/native')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top * 2),
  };
}
