/**
 * @module
 * One login's wire steps, the same on qrlogin and on the floor (bench/servers/floor-app.ts):
 * only the HTTP calls differ ({@link LoginCalls}), the sockets' events are the same. Two ways a
 * browser opens:
 * - the widget (the default): one socket per page, the QR created over it with `qr:create`,
 *   which also subscribes it;
 * - `image`, an Authing-style client: HTTP `gene`, the QR image loaded from `gene`'s `url` as an
 *   `<img>` loads it, then a socket that subscribes with `qr:subscribe {random, secret}`.
 * Then the phone scans and confirms, the push brings the ticket, the browser exchanges it for
 * the ID token, and the socket closes. Every answer is checked: a failing step throws.
 */
import type { Socket } from 'socket.io-client';
import type { GeneData } from '../../shared/http';
import { HEADERS } from '../../shared/http';
import type { Ack, QrSnapshot } from '../../shared/protocol';
import { send } from './http';
import { call, confirm, exchange, gene, scan } from './qrlogin';
import { connect, next, request } from './sockets';

/** The HTTP calls of a login: the browser's `gene` and ticket exchange, the phone's scan and confirm. */
export interface LoginCalls {
  gene(): Promise<GeneData>;
  scan(random: string): Promise<unknown>;
  confirm(random: string): Promise<unknown>;
  exchange(ticket: string, secret: string): Promise<{ token: string }>;
}

/** qrlogin's, for the phone logged in with `phoneToken` (the fleet, which only opens browsers, needs none). */
export const qrloginCalls = (base: string, phoneToken = ''): LoginCalls => ({
  gene: () => gene(base),
  scan: (random) => scan(base, phoneToken, random),
  confirm: (random) => confirm(base, phoneToken, random),
  exchange: (ticket, secret) => exchange(base, ticket, secret),
});

/** A bearer token as long as qrlogin's user token (an ES256 JWT): the floor reads no header, but it is sent. */
const FLOOR_PHONE_TOKEN = 'x'.repeat(410);
const bearer = { authorization: `Bearer ${FLOOR_PHONE_TOKEN}` };

/** The floor's, with the same bodies and headers as qrlogin's. */
export const floorCalls = (base: string): LoginCalls => ({
  gene: () => call<GeneData>(base, '/gene', {}),
  scan: (random) => call(base, '/scanned', { random }, bearer),
  confirm: (random) => call(base, '/confirm', { random }, bearer),
  exchange: (ticket, secret) => call<{ token: string }>(base, '/userinfo', { ticket }, { [HEADERS.secret]: secret }),
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Loads the QR image at `url` (on `base`), as an `<img>` would; throws unless it is a PNG. */
export async function loadImage(base: string, url: string): Promise<void> {
  const { pathname, search } = new URL(url);
  const image = await send('GET', `${base}${pathname}${search}`);
  if (image.status !== 200 || image.headers['content-type'] !== 'image/png' || !image.body.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new Error(`GET ${pathname}: HTTP ${image.status}, not a PNG`);
  }
}

function ackData<T>(ack: Ack<T>, what: string): T {
  if (!ack.ok) throw new Error(`${what}: code ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** A browser waiting on a fresh QR: its socket, subscribed, and the QR. */
export interface OpenBrowser {
  socket: Socket;
  qr: GeneData;
}

/** Opens a waiting browser as the widget does, or with `image` as an Authing-style client does (see the module). */
export async function openBrowser(base: string, calls: LoginCalls, image: boolean, timeoutMs = 10_000): Promise<OpenBrowser> {
  const made = image ? await calls.gene() : undefined;
  if (made) await loadImage(base, made.url);
  const socket = await connect(base, timeoutMs);
  try {
    if (!made) return { socket, qr: ackData(await request<Ack<GeneData>>(socket, 'qr:create', {}, timeoutMs), 'qr:create') };
    const subscribe = { random: made.random, secret: made.secret };
    ackData(await request<Ack<QrSnapshot>>(socket, 'qr:subscribe', subscribe, timeoutMs), 'qr:subscribe');
    return { socket, qr: made };
  } catch (error) {
    socket.close();
    throw error;
  }
}

const isJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/** One complete login (see the module), the socket closed at the end whatever happens. */
export async function login(base: string, calls: LoginCalls, image: boolean): Promise<void> {
  const { socket, qr } = await openBrowser(base, calls, image);
  try {
    const pushed = next<{ random: string; ticket?: string }>(socket, 'qr:confirmed', (push) => push.random === qr.random);
    await calls.scan(qr.random);
    await calls.confirm(qr.random);
    const { ticket } = await pushed;
    if (!ticket) throw new Error('qr:confirmed without a ticket');
    const user = await calls.exchange(ticket, qr.secret);
    if (!isJwt(user.token)) throw new Error('the exchange returned no ID token');
  } finally {
    socket.close();
  }
}
