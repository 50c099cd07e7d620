/**
 * @module
 * The parts of a bench run (`--only=` names them): `single` (the floor and qrlogin on one
 * instance: latency, polling, memory and open time with waiting browsers, with and without the
 * QR image), `redis` (one and three instances on Redis), `throughput` (qrlogin and the floor
 * against the OpenID Connect device flow), `embedded` (the embedded store beside memory, in
 * bench/scenarios/embedded.ts) and `profile`. Each fills in its share of the results.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { summarizeProfile } from '../lib/cpuprofile';
import type { FleetMode } from '../fleet';
import { type Fleet, startFleet } from '../lib/fleet-control';
import type { BenchOptions } from '../lib/options';
import { type BenchResults, THROUGHPUT_SYSTEMS, type ThroughputSystem, progress, record } from '../lib/results';
import { summarize } from '../lib/stats';
import { type Server, startFloor, startOidcDevice, startQrlogin, using } from '../lib/targets';
import { capacityRamp } from './capacity';
import { pollingLatency } from './polling';
import { interleaved, openFloorProbe, openQrloginProbe, pushLatency } from './push-latency';
import { type ThroughputResult, combine, deviceFlowThroughput, floorThroughput, qrloginThroughput } from './throughput';

export type Part = (options: BenchOptions, results: BenchResults) => Promise<void>;

const FLOOR_ROW = { part: 'single', name: 'floor (bare Socket.IO + HTTP POST)', target: 'floor', instances: 1, store: 'none' } as const;
const MEMORY_ROW = { part: 'single', name: 'qrlogin, 1 instance, memory', target: 'qrlogin', instances: 1, store: 'memory' } as const;
export const sameInstance = (url: string) => ({ browser: url, scan: url, confirm: url });

/** One capacity ramp (./capacity.ts) of `server` with the settings' levels. */
const ramp = (server: Server, fleet: Fleet, mode: FleetMode, settings: BenchOptions['settings']) =>
  capacityRamp(server.process, fleet, mode, [server.url], settings.idleLevels, settings.idleCpuWindowMs, settings.capacitySettleMs);

/**
 * The floor and qrlogin on one instance side by side: push latency in alternating blocks,
 * polling, and memory with waiting browsers (opened as the widget opens them, then on fresh
 * servers as an Authing-style client does, loading the QR image).
 */
export const singleInstance: Part = async ({ settings, maxIdle }, results) => {
  await using(
    async () => [await startFloor(), await startQrlogin({ name: 'qrlogin memory', store: 'memory' })],
    async ([floor, ours]) => {
      const probes = [await openFloorProbe(floor!.url), await openQrloginProbe(sameInstance(ours!.url))];
      try {
        const [floorSamples, ourSamples] = await interleaved(probes, settings.logins);
        record(results, { ...FLOOR_ROW, idleSockets: 0 }, floorSamples ?? []);
        record(results, { ...MEMORY_ROW, idleSockets: 0 }, ourSamples ?? []);
      } finally {
        for (const probe of probes) probe.close();
      }
      progress(`polling at 800 ms: ${settings.pollingSamples} logins, ${settings.pollingConcurrency} at a time`);
      results.polling = summarize(await pollingLatency(ours!.url, settings.pollingSamples, settings.pollingConcurrency));
    },
  );
  await using(
    async () => [await startFloor(), await startQrlogin({ name: 'qrlogin memory (idle)', store: 'memory' })],
    async ([floor, ours]) => {
      // One fleet each: a process holds at most one socket per file descriptor.
      const fleets = [await startFleet(), await startFleet()] as const;
      try {
        progress(`capacity: ${settings.idleLevels.join(', ')} waiting browsers`);
        results.capacity.floor = await ramp(floor!, fleets[0], 'floor', settings);
        results.capacity.qrlogin = await ramp(ours!, fleets[1], 'qrlogin', settings);
        const probes = [await openFloorProbe(floor!.url), await openQrloginProbe(sameInstance(ours!.url))];
        try {
          const [floorSamples, ourSamples] = await interleaved(probes, settings.logins);
          record(results, { ...FLOOR_ROW, idleSockets: maxIdle }, floorSamples ?? []);
          record(results, { ...MEMORY_ROW, idleSockets: maxIdle }, ourSamples ?? []);
        } finally {
          for (const probe of probes) probe.close();
        }
      } finally {
        await Promise.all(fleets.map((fleet) => fleet.stop()));
      }
    },
  );
  // Browsers that load the QR image: fresh servers and fleets, so that the baselines are clean.
  await using(
    async () => [await startFloor(), await startQrlogin({ name: 'qrlogin memory (idle, image)', store: 'memory' })],
    async ([floor, ours]) => {
      const fleets = [await startFleet(), await startFleet()] as const;
      try {
        progress(`capacity, the image loaded: ${settings.idleLevels.join(', ')} waiting browsers`);
        results.capacity.floorImage = await ramp(floor!, fleets[0], 'floor-image', settings);
        results.capacity.qrloginImage = await ramp(ours!, fleets[1], 'qrlogin-image', settings);
      } finally {
        await Promise.all(fleets.map((fleet) => fleet.stop()));
      }
    },
  );
  const opened = (variant: keyof BenchResults['capacity']) => results.capacity[variant].openSeconds.toFixed(1);
  progress(
    `opening ${maxIdle} browsers, s: qrlogin ${opened('qrlogin')} (image ${opened('qrloginImage')}), floor ${opened('floor')} (image ${opened('floorImage')})`,
  );
};

/** Redis key prefixes in use, deleted at the end of their part or on an interrupt. */
const redisPrefixes = new Map<string, string>();

async function deleteRedisPrefix(prefix: string, redisUrl: string): Promise<void> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
  await client.close();
  redisPrefixes.delete(prefix);
}

/** Deletes the keys of every Redis part still running (on an interrupt). */
export async function deleteRedisKeys(): Promise<void> {
  await Promise.all([...redisPrefixes].map(([prefix, url]) => deleteRedisPrefix(prefix, url)));
}

/** qrlogin on Redis: one instance, then three (socket on A, scan on B, confirm on C). */
export const redisInstances: Part = async ({ settings, maxIdle, redisUrl }, results) => {
  const prefix = `qrlogin-bench:${randomBytes(4).toString('hex')}:`;
  redisPrefixes.set(prefix, redisUrl);
  const redis = { url: redisUrl, prefix };
  try {
    await using(
      async () => [await startQrlogin({ name: 'qrlogin redis', store: 'redis', redis })],
      async ([server]) => {
        const url = server!.url;
        const row = {
          part: 'redis',
          name: 'qrlogin, 1 instance, Redis',
          target: 'qrlogin',
          instances: 1,
          store: 'redis',
          idleSockets: 0,
        } as const;
        record(results, row, await pushLatency(openQrloginProbe(sameInstance(url)), settings.logins));
      },
    );
    const issuer = 'https://login.bench.test';
    await using(
      async () => {
        const servers: Server[] = [];
        for (const name of ['A', 'B', 'C'])
          servers.push(await startQrlogin({ name: `qrlogin redis ${name}`, store: 'redis', redis, issuer }));
        return servers;
      },
      async (servers) => {
        const [a, b, c] = servers.map((server) => server.url) as [string, string, string];
        const route = { browser: a, scan: b, confirm: c };
        const row = {
          part: 'redis',
          name: 'qrlogin, 3 instances, Redis (socket on A, scan on B, confirm on C)',
          target: 'qrlogin',
          instances: 3,
          store: 'redis',
        } as const;
        record(results, { ...row, idleSockets: 0 }, await pushLatency(openQrloginProbe(route), settings.logins));
        const fleet = await startFleet();
        try {
          progress(`${maxIdle} idle browsers over the three instances`);
          await fleet.grow(maxIdle, 'qrlogin', [a, b, c]);
          record(results, { ...row, idleSockets: maxIdle }, await pushLatency(openQrloginProbe(route), settings.logins));
        } finally {
          await fleet.stop();
        }
      },
    );
  } finally {
    await deleteRedisPrefix(prefix, redisUrl);
  }
};

/**
 * qrlogin, the floor and the peer side by side. For each concurrency, twelve half windows in the
 * order ours (the widget's path), ours with the image loaded (an Authing-style client), the
 * floor with each of the same wire steps, peer (remembered session), peer (fresh browser), and
 * back (ABCDEFFEDCBA): drift in the machine falls on all six alike.
 */
export const versusDeviceFlow: Part = async ({ settings }, results) => {
  await using(
    async () => [await startQrlogin({ name: 'qrlogin throughput', store: 'memory' }), await startOidcDevice(), await startFloor()],
    async ([ours, peer, floor]) => {
      const half = settings.throughputMs / 2;
      const runs: Record<ThroughputSystem, (c: number, warm: number) => Promise<ThroughputResult>> = {
        qrlogin: (c, warm) => qrloginThroughput(ours!.process, ours!.url, c, half, warm),
        qrloginImage: (c, warm) => qrloginThroughput(ours!.process, ours!.url, c, half, warm, { image: true }),
        floor: (c, warm) => floorThroughput(floor!.process, floor!.url, c, half, warm),
        floorImage: (c, warm) => floorThroughput(floor!.process, floor!.url, c, half, warm, { image: true }),
        oidcDevice: (c, warm) => deviceFlowThroughput(peer!.process, peer!.url, c, half, true, warm),
        oidcDeviceFresh: (c, warm) => deviceFlowThroughput(peer!.process, peer!.url, c, half, false, warm),
      };
      for (const concurrency of settings.concurrencies) {
        const windows = new Map(THROUGHPUT_SYSTEMS.map((name) => [name, [] as ThroughputResult[]]));
        for (const name of THROUGHPUT_SYSTEMS) windows.get(name)?.push(await runs[name](concurrency, settings.throughputWarmUpMs));
        for (const name of [...THROUGHPUT_SYSTEMS].reverse()) windows.get(name)?.push(await runs[name](concurrency, 500));
        for (const name of THROUGHPUT_SYSTEMS) results.throughput[name].push(combine(windows.get(name) ?? []));
        const line = (name: ThroughputSystem) => {
          const r = results.throughput[name].at(-1);
          return r ? `${r.loginsPerSecond.toFixed(0)} logins/s, ${r.serverCpuMsPerLogin.toFixed(2)} CPU ms` : '';
        };
        progress(
          `c=${concurrency}: qrlogin ${line('qrlogin')} (loading the image ${line('qrloginImage')}); ` +
            `floor ${line('floor')} (loading the image ${line('floorImage')}); ` +
            `device flow ${line('oidcDevice')} (fresh browsers ${line('oidcDeviceFresh')})`,
        );
      }
    },
  );
};

/** One instance under load at concurrency 10, with `node --cpu-prof`. */
export const profiled: Part = async ({ settings }, results) => {
  const dir = join('bench', 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  let result: ThroughputResult | undefined;
  await using(
    async () => [await startQrlogin({ name: 'qrlogin profiled', store: 'memory', profileDir: dir })],
    async ([server]) => {
      result = await qrloginThroughput(server!.process, server!.url, 10, settings.throughputMs);
    },
  );
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile') && !before.has(name));
  if (!file || !result) throw new Error('no CPU profile was written');
  results.profile = { file: join(dir, file), summary: summarizeProfile(join(dir, file)), throughput: result };
};
