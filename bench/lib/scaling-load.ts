/**
 * @module
 * A deployment under measurement (N qrlogin instances on one throwaway Redis or Cluster) and
 * what an interval costs it: the instances' CPU (/proc), the load generator's own, the idle
 * fleet's, the machine's CPU spent by anything else, Redis's work (./redis-info.ts), and how the
 * scheduler shared the cores (./sched.ts). The
 * login load is closed-loop: each worker logs in over and over, as bench/lib/login.ts does it,
 * with the instances rotated so that the browser (`gene`, socket, `qr:subscribe`) is on one,
 * the phone's `scanned` and `confirm` on the next, and the ticket's redemption (`userinfo`) on
 * the one after that (the same instance again when there are fewer).
 */
import { createClient } from 'redis';
import { type LoginCalls, login } from './login';
import type { BenchProcess } from './processes';
import { confirm, exchange, gene, registerPhone, scan } from './qrlogin';
import { type NodeReading, type RedisDelta, type RedisProbe, delta } from './redis-info';
import { NO_SCHED, type Sched, addSched, machineCpu, readBytesOf, schedOf, subSched } from './sched';

export interface Deployment {
  urls: string[];
  servers: BenchProcess[];
  probe: RedisProbe;
  /** The idle fleet's process, if one runs (its CPU is the bench's, not someone else's). */
  fleet?: BenchProcess;
}

interface Mark {
  at: bigint;
  servers: number[];
  client: NodeJS.CpuUsage;
  fleet: number;
  machine: ReturnType<typeof machineCpu>;
  redis: NodeReading[];
  rss: number[];
  reads: number[];
  serverSched: Sched;
  redisSched: Sched;
}

export interface Interval {
  seconds: number;
  /** Sum over the instances, and each instance's share. */
  serverCpuMs: number;
  serverCpuMsEach: number[];
  clientCpuMs: number;
  fleetCpuMs: number;
  /** CPU the machine spent (processes and interrupts) beyond this run's processes: another job, kernel threads, interrupts. */
  othersCpuMs: number;
  /** The machine's interrupt time (irq, softirq: loopback networking, ours mostly). */
  interruptsCpuMs: number;
  /** The instances' main threads (summed), and Redis's (every node): run, wait for a core, context switches. */
  serverSched: Sched;
  redisSched: Sched;
  redis: RedisDelta;
  /** On a Cluster, the masters' and the replicas' shares. */
  masters: RedisDelta;
  replicas: RedisDelta;
  rssBytes: { from: number; to: number };
  /** What each instance read (clients' requests and Redis's replies and pushes), bytes. */
  serverReadBytesEach: number[];
}

export async function mark(dep: Deployment): Promise<Mark> {
  const redis = await dep.probe.read();
  return {
    at: process.hrtime.bigint(),
    servers: dep.servers.map((server) => server.cpuMs()),
    client: process.cpuUsage(),
    fleet: dep.fleet?.cpuMs() ?? 0,
    machine: machineCpu(),
    redis,
    rss: dep.servers.map((server) => server.rssBytes()),
    reads: dep.servers.map((server) => readBytesOf(server.pid)),
    serverSched: dep.servers.map((server) => schedOf(server.pid)).reduce(addSched, NO_SCHED),
    redisSched: redis.map((node) => schedOf(node.pid)).reduce(addSched, NO_SCHED),
  };
}

export function between(a: Mark, b: Mark): Interval {
  const serverCpuMsEach = b.servers.map((ms, i) => ms - (a.servers[i] ?? 0));
  const serverCpuMs = serverCpuMsEach.reduce((sum, ms) => sum + ms, 0);
  const clientCpuMs = (b.client.user - a.client.user + b.client.system - a.client.system) / 1000;
  const redis = delta(a.redis, b.redis);
  const fleetCpuMs = b.fleet - a.fleet;
  const ours = serverCpuMs + clientCpuMs + fleetCpuMs + redis.cpuMs;
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    seconds: Number(b.at - a.at) / 1e9,
    serverCpuMs,
    serverCpuMsEach,
    clientCpuMs,
    fleetCpuMs,
    // Interrupt time is counted too: part of it is charged to our processes as well.
    othersCpuMs: b.machine.processesMs + b.machine.interruptsMs - a.machine.processesMs - a.machine.interruptsMs - ours,
    interruptsCpuMs: b.machine.interruptsMs - a.machine.interruptsMs,
    serverSched: subSched(b.serverSched, a.serverSched),
    redisSched: subSched(b.redisSched, a.redisSched),
    redis,
    masters: delta(a.redis, b.redis, (node) => node.role === 'master'),
    replicas: delta(a.redis, b.redis, (node) => node.role !== 'master'),
    rssBytes: { from: sum(a.rss), to: sum(b.rss) },
    serverReadBytesEach: b.reads.map((bytes, i) => bytes - (a.reads[i] ?? 0)),
  };
}

/** The phone (its user token) that login number `k` of worker `w` uses; registered before the clock starts. */
export type PhoneOf = (worker: number, k: number) => string;

/** `count` new phone users, registered `parallel` at a time over the instances; their tokens. */
export async function registerPhones(urls: string[], count: number, parallel = 8): Promise<string[]> {
  const tokens: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      tokens[i] = await registerPhone(urls[i % urls.length] ?? '');
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return tokens;
}

/** The login calls of login number `k`: browser on instance k, phone on k + 1, redemption on k + 2 (mod N). */
function route(urls: string[], k: number, phone: string): { base: string; calls: LoginCalls } {
  const at = (offset: number) => urls[(k + offset) % urls.length] ?? '';
  const [browser, phoneSide, redeem] = [at(0), at(1), at(2)];
  return {
    base: browser,
    calls: {
      gene: () => gene(browser),
      scan: (random) => scan(phoneSide, phone, random),
      confirm: (random) => confirm(phoneSide, phone, random),
      exchange: (ticket, secret) => exchange(redeem, ticket, secret),
    },
  };
}

export interface LoginWindow extends Interval {
  concurrency: number;
  logins: number;
  loginsPerSecond: number;
}

/** Told when the measured window opens and closes (the adapter spy counts only in between). */
export interface WindowWatch {
  opened(): void;
  closed(): void;
}

/**
 * `concurrency` closed-loop workers (phone `phones[w]` each): `warmUpMs`, then an interval of
 * `windowMs` measured between two marks. A failing login fails the run: no error is counted,
 * none skipped.
 */
export async function loginWindow(
  dep: Deployment,
  phoneOf: PhoneOf,
  concurrency: number,
  warmUpMs: number,
  windowMs: number,
  watch?: WindowWatch,
): Promise<LoginWindow> {
  let k = 0;
  let counting = false;
  let stop = false;
  let logins = 0;
  const worker = async (w: number) => {
    while (!stop) {
      const { base, calls } = route(dep.urls, k, phoneOf(w, k));
      k += 1;
      await login(base, calls, 'widget');
      if (counting) logins += 1;
    }
  };
  const loops = Array.from({ length: concurrency }, (_, w) => worker(w));
  let interval: Interval | undefined;
  const windowDone = (async () => {
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    const a = await mark(dep);
    counting = true;
    watch?.opened();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    counting = false;
    watch?.closed();
    const b = await mark(dep);
    stop = true;
    interval = between(a, b);
  })();
  await Promise.all([windowDone, ...loops]);
  if (!interval) throw new Error('the window did not close');
  return { ...interval, concurrency, logins, loginsPerSecond: logins / interval.seconds };
}

/** Worker `w` logs in `count` times with phone `phones[w]`, for every phone at once: warms up, and fills each user's sign-ins. */
export async function loginsEach(dep: Deployment, phones: string[], count: number): Promise<void> {
  let k = 0;
  const worker = async (phone: string) => {
    for (let i = 0; i < count; i++) {
      const { base, calls } = route(dep.urls, k, phone);
      k += 1;
      await login(base, calls, 'widget');
    }
  };
  await Promise.all(phones.map(worker));
}

/** Tells every watch in `watches` (the adapter spy and the monitor share a window). */
export const watchAll = (...watches: WindowWatch[]): WindowWatch => ({
  opened: () => watches.forEach((watch) => watch.opened()),
  closed: () => watches.forEach((watch) => watch.closed()),
});

/** What the Socket.IO adapter published while the spy counted (classic adapter: one pattern). */
export interface AdapterSpy extends WindowWatch {
  messages: number;
  /** Channel name and payload bytes, summed. */
  channelBytes: number;
  payloadBytes: number;
  /** Messages to one room's channel (`…#/#<room>#`) and to anything else (server-side emits, requests). */
  roomMessages: number;
  close(): Promise<void>;
}

/** Listens to every adapter channel under `prefix` on its own connection to `port`. */
export async function adapterSpy(port: number, prefix: string): Promise<AdapterSpy> {
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', () => undefined);
  await client.connect();
  let counting = false;
  const spy: AdapterSpy = {
    messages: 0,
    channelBytes: 0,
    payloadBytes: 0,
    roomMessages: 0,
    opened: () => {
      counting = true;
    },
    closed: () => {
      counting = false;
    },
    close: async () => {
      await client.close();
    },
  };
  const room = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}socket\\.io#/#[^#]+#$`);
  await client.pSubscribe(
    `${prefix}socket.io*`,
    (message: Buffer, channel: Buffer) => {
      if (!counting) return;
      spy.messages += 1;
      spy.channelBytes += channel.length;
      spy.payloadBytes += message.length;
      if (room.test(channel.toString())) spy.roomMessages += 1;
    },
    true,
  );
  return spy;
}
