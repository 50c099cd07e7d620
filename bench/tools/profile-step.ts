/**
 * Profiles one qrlogin instance (memory store, `node --cpu-prof`) while one kind of request is
 * repeated, and prints self and inclusive time: for finding what a step costs.
 *   node scripts/run-ts.mjs bench/tools/profile-step.ts livez|gene|image|connect|login|login-image|latency [n]
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeProfile } from '../lib/cpuprofile';
import { closeIdleConnections, send } from '../lib/http';
import { stopAll } from '../lib/processes';
import { gene } from '../lib/qrlogin';
import { table } from '../lib/report';
import { connect } from '../lib/sockets';
import { startQrlogin } from '../lib/targets';
import { openQrloginProbe, pushLatency } from '../scenarios/push-latency';
import { qrloginThroughput } from '../scenarios/throughput';

const step = process.argv[2] ?? 'livez';
const N = Number(process.argv[3] ?? 5000);

async function main() {
  const dir = join('bench', 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const server = await startQrlogin({ name: 'qrlogin profiled', store: 'memory', profileDir: dir });
  if (step === 'login' || step === 'login-image') {
    const result = await qrloginThroughput(server.process, server.url, 10, N, undefined, { image: step === 'login-image' });
    console.log(
      `${result.logins} logins in the window, ${result.loginsPerSecond.toFixed(0)}/s, ${result.serverCpuMsPerLogin.toFixed(2)} server CPU ms/login`,
    );
  } else if (step === 'latency') await pushLatency(openQrloginProbe({ browser: server.url, scan: server.url, confirm: server.url }), N);
  else if (step === 'image') {
    const { url } = await gene(server.url);
    for (let i = 0; i < N; i += 1) await send('GET', url);
  } else if (step === 'connect') for (let i = 0; i < N; i += 1) (await connect(server.url)).close();
  else for (let i = 0; i < N; i += 1) await (step === 'gene' ? gene(server.url) : send('GET', `${server.url}/livez`));
  closeIdleConnections();
  await server.process.stop();
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile') && !before.has(name));
  if (!file) throw new Error('no profile');
  const summary = summarizeProfile(join(dir, file), 30);
  console.log(`${join(dir, file)}: ${summary.busyMs.toFixed(0)} ms busy`);
  console.log(
    table(
      ['area', 'ms', '%'],
      summary.areas.slice(0, 15).map((a) => [a.area, a.ms, a.share * 100]),
    ),
  );
  console.log(
    table(
      ['self', 'area', 'ms', '%'],
      summary.functions.map((f) => [f.fn, f.area, f.ms, f.share * 100]),
    ),
  );
  console.log(
    table(
      ['inclusive', 'area', 'ms', '%'],
      summary.inclusive.map((f) => [f.fn, f.area, f.ms, f.share * 100]),
    ),
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    process.exit();
  });
