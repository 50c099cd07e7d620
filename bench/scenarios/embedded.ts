/**
 * @module
 * The part `embedded`: qrlogin on the embedded store (LMDB under a fresh `DATA_DIR`, every
 * write a transaction whose promise resolves once its commit is on disk) beside qrlogin on the
 * memory store, one instance each, both running at once. Push latency is taken in alternating
 * blocks of the two (as the floor and memory are in `single`); throughput at concurrency 10 in
 * half windows memory, embedded, embedded, memory (ABBA), so drift in the machine falls on both
 * alike.
 */
import { EMBEDDED_CONCURRENCY, type StoreThroughput, progress, record } from '../lib/results';
import { startQrlogin, using } from '../lib/targets';
import { type Part, sameInstance } from './parts';
import { interleaved, openQrloginProbe } from './push-latency';
import { combine, qrloginThroughput } from './throughput';

type Store = StoreThroughput['windows'][number]['store'];

const ROWS = {
  memory: { part: 'embedded', name: 'qrlogin, 1 instance, memory (beside embedded)', target: 'qrlogin', instances: 1, store: 'memory' },
  embedded: { part: 'embedded', name: 'qrlogin, 1 instance, embedded (LMDB)', target: 'qrlogin', instances: 1, store: 'embedded' },
} as const;

const line = (r: { loginsPerSecond: number; serverCpuMsPerLogin: number }) =>
  `${r.loginsPerSecond.toFixed(0)} logins/s, ${r.serverCpuMsPerLogin.toFixed(2)} CPU ms/login`;

export const embeddedVersusMemory: Part = async ({ settings }, results) => {
  await using(
    async () => [
      await startQrlogin({ name: 'qrlogin memory', store: 'memory' }),
      await startQrlogin({ name: 'qrlogin embedded', store: 'embedded' }),
    ],
    async ([memory, embedded]) => {
      const servers = { memory: memory!, embedded: embedded! };
      const probes = [await openQrloginProbe(sameInstance(servers.memory.url)), await openQrloginProbe(sameInstance(servers.embedded.url))];
      try {
        const [memorySamples, embeddedSamples] = await interleaved(probes, settings.logins);
        record(results, { ...ROWS.memory, idleSockets: 0 }, memorySamples ?? []);
        record(results, { ...ROWS.embedded, idleSockets: 0 }, embeddedSamples ?? []);
      } finally {
        for (const probe of probes) probe.close();
      }

      const half = settings.throughputMs / 2;
      const windows: StoreThroughput['windows'] = [];
      const order: [Store, number][] = [
        ['memory', 2000],
        ['embedded', 2000],
        ['embedded', 500],
        ['memory', 500],
      ];
      for (const [store, warmUpMs] of order) {
        const server = servers[store];
        windows.push({ store, ...(await qrloginThroughput(server.process, server.url, EMBEDDED_CONCURRENCY, half, warmUpMs)) });
      }
      const of = (store: Store) => combine(windows.filter((w) => w.store === store));
      results.embeddedVsMemory = { windows, memory: of('memory'), embedded: of('embedded') };
      const { memory: m, embedded: e } = results.embeddedVsMemory;
      progress(
        `c=${EMBEDDED_CONCURRENCY}: memory ${line(m)}; embedded ${line(e)} (× ${(e.loginsPerSecond / m.loginsPerSecond).toFixed(2)})`,
      );
    },
  );
};
