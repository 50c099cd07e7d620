/**
 * @module
 * Throughput: complete logins per second from `concurrency` closed-loop workers, and the
 * server's CPU milliseconds per login (read from /proc for the server processes alone).
 * A qrlogin login is everything a real one is (bench/lib/login.ts): as the widget does it on a
 * page, the browser creates the QR (HTTP `gene`), opens its socket and subscribes
 * (`qr:subscribe`); the phone scans and confirms; the push brings the ticket; the browser exchanges it for the
 * signed ID token; the socket closes. With `image`, the browser is an Authing-style client that
 * shows the QR as an `<img>`: HTTP `gene`, the image loaded from its `url`, then a socket that
 * subscribes with `qr:subscribe`, where the widget draws the QR itself. The floor runs the same
 * wire steps on a bare server, and the device-flow peer its own login.
 */
import { type LoginCalls, floorCalls, login, qrloginCalls } from '../lib/login';
import type { BenchProcess } from '../lib/processes';
import { registerPhone } from '../lib/qrlogin';
import { deviceFlowLogin, newDeviceBrowser } from '../peers/oidc-device-client';

export interface ThroughputResult {
  concurrency: number;
  logins: number;
  seconds: number;
  loginsPerSecond: number;
  serverCpuMsPerLogin: number;
  /** The load generator's own CPU per login (browser and phone sides), on the same cores. */
  clientCpuMsPerLogin: number;
}

/** Runs `once` in `concurrency` loops: a warm-up, then a measured window of `durationMs`. */
export async function closedLoop<T>(
  servers: BenchProcess[],
  concurrency: number,
  durationMs: number,
  prepare: (worker: number) => Promise<T>,
  once: (context: T) => Promise<void>,
  warmUpMs = Math.min(2000, durationMs / 4),
): Promise<ThroughputResult> {
  const contexts = await Promise.all(Array.from({ length: concurrency }, (_, worker) => prepare(worker)));
  const warmUpEnd = Date.now() + warmUpMs;
  let measuring = false;
  let clientUsage = { user: 0, system: 0 };
  let logins = 0;
  let stop = false;
  let cpuStart = 0;
  let clientStart = process.cpuUsage();
  let windowStart = 0n;
  const cpu = () => servers.reduce((total, server) => total + server.cpuMs(), 0);
  const worker = async (context: T) => {
    while (!stop) {
      await once(context);
      if (measuring) logins += 1;
    }
  };
  const loops = contexts.map(worker);
  const windowDone = (async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, warmUpEnd - Date.now())));
    cpuStart = cpu();
    clientStart = process.cpuUsage();
    windowStart = process.hrtime.bigint();
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    measuring = false;
    stop = true;
    clientUsage = process.cpuUsage(clientStart);
  })();
  // A failing login fails the run: an error is never counted, nor silently skipped.
  await Promise.all([windowDone, ...loops]);
  const seconds = Number(process.hrtime.bigint() - windowStart) / 1e9;
  const cpuMs = cpu() - cpuStart;
  const per = (ms: number) => ms / Math.max(1, logins);
  return {
    concurrency,
    logins,
    seconds,
    loginsPerSecond: logins / seconds,
    serverCpuMsPerLogin: per(cpuMs),
    clientCpuMsPerLogin: per((clientUsage.user + clientUsage.system) / 1000),
  };
}

/** Windows of one system added up: logins, seconds and CPU summed, rates recomputed. */
export function combine(results: ThroughputResult[]): ThroughputResult {
  const logins = results.reduce((total, r) => total + r.logins, 0);
  const seconds = results.reduce((total, r) => total + r.seconds, 0);
  const cpu = (pick: (r: ThroughputResult) => number) => results.reduce((total, r) => total + pick(r) * r.logins, 0) / Math.max(1, logins);
  return {
    concurrency: results[0]?.concurrency ?? 0,
    logins,
    seconds,
    loginsPerSecond: logins / seconds,
    serverCpuMsPerLogin: cpu((r) => r.serverCpuMsPerLogin),
    clientCpuMsPerLogin: cpu((r) => r.clientCpuMsPerLogin),
  };
}

/** Logins of one server's kind, each worker with its own `calls` (a logged-in phone on qrlogin). */
function loginThroughput(
  server: BenchProcess,
  base: string,
  concurrency: number,
  durationMs: number,
  warmUpMs: number | undefined,
  image: boolean | undefined,
  callsOf: () => Promise<LoginCalls>,
): Promise<ThroughputResult> {
  return closedLoop([server], concurrency, durationMs, callsOf, (calls) => login(base, calls, image ? 'image' : 'widget'), warmUpMs);
}

/**
 * qrlogin's logins (bench/lib/login.ts). The widget's (the default): HTTP `gene`, a fresh
 * socket with `qr:subscribe`, the phone's scan and confirm, the push with the ticket, the
 * exchange, the socket closed. With `image`, as an Authing-style client: HTTP `gene`, the image
 * loaded, a fresh socket with `qr:subscribe`, then the same. Each worker's phone is registered
 * before the clock starts.
 */
export function qrloginThroughput(
  server: BenchProcess,
  base: string,
  concurrency: number,
  durationMs: number,
  warmUpMs?: number,
  options: { image?: boolean } = {},
): Promise<ThroughputResult> {
  return loginThroughput(server, base, concurrency, durationMs, warmUpMs, options.image, async () =>
    qrloginCalls(base, await registerPhone(base)),
  );
}

/**
 * The floor's logins (bench/servers/floor-app.ts): exactly the wire steps of the matching
 * qrlogin variant, with the same client, bodies and headers, on a server with no store, no auth
 * and no validation. Widget: `/gene`, connect, `qr:subscribe`, `/scanned`, `/confirm`, the push,
 * `/userinfo`, close; `image`: the same with `/qr.png` loaded after `/gene`.
 */
export function floorThroughput(
  server: BenchProcess,
  base: string,
  concurrency: number,
  durationMs: number,
  warmUpMs?: number,
  options: { image?: boolean } = {},
): Promise<ThroughputResult> {
  return loginThroughput(server, base, concurrency, durationMs, warmUpMs, options.image, async () => floorCalls(base));
}

let deviceUsers = 0;

/**
 * The peer: complete device-flow logins against oidc-provider (bench/peers/). With
 * `remembered`, each worker's browser keeps its session at the provider between logins (as our
 * phone stays logged in), so the provider skips the login and consent it already has; without,
 * every login comes from a fresh browser that logs in and consents.
 */
export function deviceFlowThroughput(
  server: BenchProcess,
  base: string,
  concurrency: number,
  durationMs: number,
  remembered: boolean,
  warmUpMs?: number,
): Promise<ThroughputResult> {
  return closedLoop(
    [server],
    concurrency,
    durationMs,
    async () => ({ login: `user-${(deviceUsers += 1)}`, browser: remembered ? newDeviceBrowser() : undefined }),
    async ({ login, browser }) => {
      await deviceFlowLogin(base, login, browser);
    },
    warmUpMs,
  );
}
