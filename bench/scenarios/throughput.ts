/**
 * @module
 * Throughput: complete logins per second from `concurrency` closed-loop workers, and the
 * server's CPU milliseconds per login (read from /proc for the server processes alone).
 * A qrlogin login is everything a real one is: the browser creates the QR (HTTP gene), opens a
 * fresh socket and subscribes; the phone scans and confirms; the push brings the ticket; the
 * browser exchanges it for the signed ID token; the socket closes. With `image`, the browser
 * also loads the QR image at `gene`'s `url`, as a client that shows it as an `<img>` (the
 * Authing SDK, a simple integration) does, where the widget draws the QR itself.
 */
import type { Ack, QrSnapshot } from '../../shared/protocol';
import type { BenchProcess } from '../lib/processes';
import { deviceFlowLogin, newDeviceBrowser } from '../peers/oidc-device-client';
import { confirm, exchange, gene, registerPhone, scan } from '../lib/qrlogin';
import { connect, next, request } from '../lib/sockets';
import { send } from '../lib/http';

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

const isJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/** Loads the QR image at `url` (on `base`), as an `<img>` would; throws unless it is a PNG. */
async function loadImage(base: string, url: string): Promise<void> {
  const { pathname, search } = new URL(url);
  const image = await send('GET', `${base}${pathname}${search}`);
  if (image.status !== 200 || image.headers['content-type'] !== 'image/png' || image.text.length < 100) {
    throw new Error(`GET ${pathname}: HTTP ${image.status}`);
  }
}

export function qrloginThroughput(
  server: BenchProcess,
  base: string,
  concurrency: number,
  durationMs: number,
  warmUpMs?: number,
  options: { image?: boolean } = {},
): Promise<ThroughputResult> {
  return closedLoop(
    [server],
    concurrency,
    durationMs,
    () => registerPhone(base),
    async (token) => {
      const qr = await gene(base);
      if (options.image) await loadImage(base, qr.url);
      const socket = await connect(base);
      try {
        const subscribed = await request<Ack<QrSnapshot>>(socket, 'qr:subscribe', { random: qr.random, secret: qr.secret });
        if (!subscribed.ok) throw new Error(`qr:subscribe: code ${subscribed.error.code}`);
        const pushed = next<{ random: string; ticket?: string }>(socket, 'qr:confirmed', (push) => push.random === qr.random);
        await scan(base, token, qr.random);
        await confirm(base, token, qr.random);
        const { ticket } = await pushed;
        if (!ticket) throw new Error('qr:confirmed without a ticket');
        const user = await exchange(base, ticket, qr.secret);
        if (!isJwt(user.token)) throw new Error('the exchange returned no ID token');
      } finally {
        socket.close();
      }
    },
    warmUpMs,
  );
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
