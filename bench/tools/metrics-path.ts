/**
 * What the metrics add to a push, in-process: two servers in this one process, one with metrics
 * on and one with `METRICS=off`, each measured as the push-latency probe measures (the confirm
 * request written → `qr:confirmed` received), in alternating blocks. Everything shares one
 * event loop here, so work the server does after the push (counting, the HTTP answer) delays
 * the browser too: a stricter test than separate processes, and a steadier one (no two
 * processes placed differently by the scheduler). `--aa` runs both with metrics off.
 *   node scripts/run-ts.mjs bench/tools/metrics-path.ts [n=4000] [--aa]
 */
import { startServer } from '../../tests/helpers/server';
import { summarize } from '../lib/stats';
import { BENCH_RATE_LIMITS } from '../lib/targets';
import { interleaved, openQrloginProbe } from '../scenarios/push-latency';

const N = Number(process.argv[2] ?? 4000);

async function main() {
  const env = { LOG_LEVEL: 'warn', RATE_LIMITS: BENCH_RATE_LIMITS, QR_TTL_SECONDS: '3600' };
  const on = await startServer({ env: process.argv.includes('--aa') ? { ...env, METRICS: 'off' } : env });
  const off = await startServer({ env: { ...env, METRICS: 'off' } });
  const route = (url: string) => ({ browser: url, scan: url, confirm: url });
  const probes = [await openQrloginProbe(route(on.url)), await openQrloginProbe(route(off.url))];
  const [onSamples, offSamples] = await interleaved(probes, N);
  const show = (name: string, samples: number[]) => {
    const s = summarize(samples);
    const mean = samples.reduce((total, ms) => total + ms, 0) / samples.length;
    console.log(
      `${name.padEnd(12)} p50 ${(s.p50 * 1000).toFixed(1)} µs, mean ${(mean * 1000).toFixed(1)} µs, p99 ${(s.p99 * 1000).toFixed(1)} µs`,
    );
    return s.p50;
  };
  const a = show('metrics on', onSamples ?? []);
  const b = show('METRICS=off', offSamples ?? []);
  console.log(`on/off p50 × ${(a / b).toFixed(3)}`);
  for (const probe of probes) probe.close();
  await Promise.all([on.close(), off.close()]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
