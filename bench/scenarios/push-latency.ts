/**
 * @module
 * Push latency: from the phone's request being sent to the browser's socket receiving the
 * push. One browser socket and one phone HTTP client, in the load generator; one login at a
 * time, so every sample is a quiet-system latency. A probe keeps its socket between blocks, so
 * that several servers can be measured in alternating blocks: drift in the machine then falls
 * on all of them alike, which is what makes their ratios fair.
 */
import type { GeneData } from '../../shared/http';
import type { Ack, EmptyAck } from '../../shared/protocol';
import { postJson } from '../lib/http';
import { confirm, registerPhone, scan } from '../lib/qrlogin';
import { connect, next, request } from '../lib/sockets';
import { msSince } from '../lib/stats';

/** Where each party talks to: the three may be different instances of one deployment. */
export interface Route {
  browser: string;
  scan: string;
  confirm: string;
}

export interface Probe {
  /** `logins` more samples, ms. */
  run(logins: number): Promise<number[]>;
  close(): void;
}

const WARM_UP = 100;

function dataOf<T>(ack: Ack<T>, what: string): T {
  if (!ack.ok) throw new Error(`${what}: code ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/**
 * qrlogin: the browser creates the QR over its socket (`qr:create`, which also subscribes it;
 * the timed part does not depend on how the QR was made); the phone scans, then confirms; the sample is from sending `confirm` to
 * `qr:confirmed` arriving with the ticket.
 */
export async function openQrloginProbe(route: Route): Promise<Probe> {
  const token = await registerPhone(route.scan);
  const socket = await connect(route.browser);
  const once = async (): Promise<number> => {
    const qr = dataOf(await request<Ack<GeneData>>(socket, 'qr:create', {}), 'qr:create');
    await scan(route.scan, token, qr.random);
    const pushed = next<{ random: string; ticket?: string }>(socket, 'qr:confirmed', (push) => push.random === qr.random);
    const sent = process.hrtime.bigint();
    const decided = confirm(route.confirm, token, qr.random);
    const push = await pushed;
    const elapsed = msSince(sent);
    await decided;
    if (!push.ticket) throw new Error('qr:confirmed without a ticket');
    const left = await request<EmptyAck>(socket, 'qr:unsubscribe', { random: qr.random });
    if (!left.ok) throw new Error(`qr:unsubscribe: code ${left.error.code}`);
    return elapsed;
  };
  return warmed(once, () => socket.close());
}

/** The floor: join a room, POST /emit, receive. */
export async function openFloorProbe(url: string): Promise<Probe> {
  const socket = await connect(url);
  let count = 0;
  const once = async (): Promise<number> => {
    count += 1;
    const room = `room-${count}-${Math.random().toString(36).slice(2)}`;
    await request(socket, 'join', room);
    const pushed = next<{ random: string }>(socket, 'qr:confirmed', (push) => push.random === room);
    const sent = process.hrtime.bigint();
    const posted = postJson(`${url}/emit`, { room });
    await pushed;
    const elapsed = msSince(sent);
    await posted;
    await request(socket, 'leave', room);
    return elapsed;
  };
  return warmed(once, () => socket.close());
}

async function warmed(once: () => Promise<number>, close: () => void): Promise<Probe> {
  try {
    for (let i = 0; i < WARM_UP; i += 1) await once();
  } catch (error) {
    close();
    throw error;
  }
  return {
    async run(logins) {
      const samples: number[] = [];
      for (let i = 0; i < logins; i += 1) samples.push(await once());
      return samples;
    },
    close,
  };
}

/**
 * `logins` samples from each probe, taken in alternating blocks of `block` (the order of the
 * probes turns every round). Returns one sample list per probe, in the probes' order.
 */
export async function interleaved(probes: Probe[], logins: number, block = 100): Promise<number[][]> {
  const samples = probes.map(() => [] as number[]);
  for (let round = 0; samples[0]!.length < logins; round += 1) {
    const size = Math.min(block, logins - samples[0]!.length);
    const order = probes.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) samples[index]!.push(...(await probes[index]!.run(size)));
  }
  return samples;
}

/** One probe's `logins` samples (no interleaving), closing it afterwards. */
export async function pushLatency(open: Promise<Probe>, logins: number): Promise<number[]> {
  const probe = await open;
  try {
    return await probe.run(logins);
  } finally {
    probe.close();
  }
}
