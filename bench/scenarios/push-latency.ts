/**
 * @module
 * Push latency: from the phone's request being sent to the browser's socket receiving the
 * push. One browser socket and one phone HTTP client, in the load generator; one login at a
 * time, so every sample is a quiet-system latency.
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

const WARM_UP = 100;

function dataOf<T>(ack: Ack<T>, what: string): T {
  if (!ack.ok) throw new Error(`${what}: code ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/**
 * `logins` complete qrlogin logins after a warm-up: the browser creates the QR over its socket
 * (as the widget does) and is subscribed to it; the phone scans, then confirms; the sample is
 * from sending `confirm` to `qr:confirmed` arriving with the ticket.
 */
export async function qrloginPushLatency(route: Route, logins: number): Promise<number[]> {
  const token = await registerPhone(route.scan);
  const socket = await connect(route.browser);
  const samples: number[] = [];
  try {
    for (let i = 0; i < WARM_UP + logins; i += 1) {
      const qr = dataOf(await request<Ack<GeneData>>(socket, 'qr:create', {}), 'qr:create');
      await scan(route.scan, token, qr.random);
      const pushed = next<{ random: string; ticket?: string }>(socket, 'qr:confirmed', (push) => push.random === qr.random);
      const sent = process.hrtime.bigint();
      const decided = confirm(route.confirm, token, qr.random);
      const push = await pushed;
      const elapsed = msSince(sent);
      await decided;
      if (!push.ticket) throw new Error('qr:confirmed without a ticket');
      if (i >= WARM_UP) samples.push(elapsed);
      const left = await request<EmptyAck>(socket, 'qr:unsubscribe', { random: qr.random });
      if (!left.ok) throw new Error(`qr:unsubscribe: code ${left.error.code}`);
    }
  } finally {
    socket.close();
  }
  return samples;
}

/** The same measurement on the bare floor server: join a room, POST /emit, receive. */
export async function floorPushLatency(url: string, logins: number): Promise<number[]> {
  const socket = await connect(url);
  const samples: number[] = [];
  try {
    for (let i = 0; i < WARM_UP + logins; i += 1) {
      const room = `room-${i}-${Math.random().toString(36).slice(2)}`;
      await request(socket, 'join', room);
      const pushed = next<{ random: string }>(socket, 'qr:confirmed', (push) => push.random === room);
      const sent = process.hrtime.bigint();
      const posted = postJson(`${url}/emit`, { room });
      await pushed;
      const elapsed = msSince(sent);
      await posted;
      if (i >= WARM_UP) samples.push(elapsed);
      await request(socket, 'leave', room);
    }
  } finally {
    socket.close();
  }
  return samples;
}
