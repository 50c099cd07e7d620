/**
 * @module
 * The parts of a bench run (`--only=` names them): `single` (the floor and qrlogin on one
 * instance: latency, polling, memory), `redis` (one and three instances on Redis), `throughput`
 * (qrlogin against the OpenID Connect device flow), `embedded` (the embedded store beside memory,
 * in bench/scenarios/embedded.ts) and `profile`. Each fills in its share of
 * the results.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { summarizeProfile } from '../lib/cpuprofile';
import { startFleet } from '../lib/fleet-control';
import type { BenchOptions } from '../lib/options';
import { type BenchResults, progress, record } from '../lib/results';
import { summarize } from '../lib/stats';
import { type Server, startFloor, startOidcDevice, startQrlogin, using } from '../lib/targets';
import { capacityRamp } from './capacity';
import { pollingLatency } from './polling';
import { interleaved, openFloorProbe, openQrloginProbe, pushLatency } from './push-latency';
import { type ThroughputResult, combine, deviceFlowThroughput, qrloginThroughput } from './throughput';

export type Part = (options: BenchOptions, results: BenchResults) => Promise<void>;

const FLOOR_ROW = { part: 'single', name: 'floor (bare Socket.IO + HTTP POST)', target: 'floor', instances: 1, store: 'none' } as const;
const MEMORY_ROW = { part: 'single', name: 'qrlogin, 1 instance, memory', target: 'qrlogin', instances: 1, store: 'memory' } as const;
export const sameInstance = (url: string) => ({ browser: url, scan: url, confirm: url });

/** The floor and qrlogin on one instance side by side, measured in alternating blocks. */
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
        const { idleLevels, idleCpuWindowMs } = settings;
        results.capacity.floor = await capacityRamp(floor!.process, fleets[0], 'floor', [floor!.url], idleLevels, idleCpuWindowMs);
        results.capacity.qrlogin = await capacityRamp(ours!.process, fleets[1], 'qrlogin', [ours!.url], idleLevels, idleCpuWindowMs);
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
 * qrlogin and the peer side by side. For each concurrency, eight half windows in the order
 * ours (the widget's path), ours with the image loaded (an Authing-style client), peer
 * (remembered session), peer (fresh browser), and back (ABCDDCBA): drift in the machine falls on
 * all four alike.
 */
export const versusDeviceFlow: Part = async ({ settings }, results) => {
  await using(
    async () => [await startQrlogin({ name: 'qrlogin throughput', store: 'memory' }), await startOidcDevice()],
    async ([ours, peer]) => {
      const half = settings.throughputMs / 2;
      const runs = {
        qrlogin: (c: number, warm: number) => qrloginThroughput(ours!.process, ours!.url, c, half, warm),
        qrloginImage: (c: number, warm: number) => qrloginThroughput(ours!.process, ours!.url, c, half, warm, { image: true }),
        oidcDevice: (c: number, warm: number) => deviceFlowThroughput(peer!.process, peer!.url, c, half, true, warm),
        oidcDeviceFresh: (c: number, warm: number) => deviceFlowThroughput(peer!.process, peer!.url, c, half, false, warm),
      };
      const order = ['qrlogin', 'qrloginImage', 'oidcDevice', 'oidcDeviceFresh'] as const;
      for (const concurrency of settings.concurrencies) {
        const windows: Record<(typeof order)[number], ThroughputResult[]> = {
          qrlogin: [],
          qrloginImage: [],
          oidcDevice: [],
          oidcDeviceFresh: [],
        };
        for (const name of order) windows[name].push(await runs[name](concurrency, 2000));
        for (const name of [...order].reverse()) windows[name].push(await runs[name](concurrency, 500));
        for (const name of order) results.throughput[name].push(combine(windows[name]));
        const line = (name: (typeof order)[number]) => {
          const r = results.throughput[name].at(-1);
          return r ? `${r.loginsPerSecond.toFixed(0)} logins/s, ${r.serverCpuMsPerLogin.toFixed(2)} CPU ms` : '';
        };
        progress(
          `c=${concurrency}: qrlogin ${line('qrlogin')} (loading the image ${line('qrloginImage')}); device flow ${line('oidcDevice')} (fresh browsers ${line('oidcDeviceFresh')})`,
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
