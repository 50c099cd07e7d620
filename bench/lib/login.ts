/**
 * @module
 * One login's wire steps, the same on qrlogin and on the floor (bench/servers/floor-app.ts):
 * only the HTTP calls differ ({@link LoginCalls}), the sockets' events are the same. Three ways
 * a browser opens ({@link Opening}):
 * - `widget`, as the widget opens a page's first QR (client/web/scan-cycle.ts): HTTP `gene`,
 *   then its socket, subscribed with `qr:subscribe {random, secret}`. A page serves one login,
 *   so this is the widget's login;
 * - `image`, an Authing-style client that shows `gene`'s `url` as an `<img>`: as `widget`, with
 *   the QR image loaded between `gene` and the socket;
 * - `created`, a QR created over a socket already open (`qr:create`, which also subscribes it):
 *   how the widget makes the next QR after one expired or was cancelled, and how the bench's
 *   fleet of waiting browsers opens (the same state on the server as `widget`'s).
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

/** How a browser opens its QR (see the module). */
export type Opening = 'widget' | 'image' | 'created';

/** A browser waiting on a fresh QR: its socket, subscribed, and the QR. */
export interface OpenBrowser {
  socket: Socket;
  qr: GeneData;
}

/** Opens a waiting browser, as `how` says (see the module). */
export async function openBrowser(base: string, calls: LoginCalls, how: Opening, timeoutMs = 10_000): Promise<OpenBrowser> {
  const made = how === 'created' ? undefined : await calls.gene();
  if (made && how === 'image') await loadImage(base, made.url);
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
export async function login(base: string, calls: LoginCalls, how: Opening): Promise<void> {
  const { socket, qr } = await openBrowser(base, calls, how);
  try {
    const pushed = next<{ random: string; ticket?: string }>(socket, 'qr:confirmed', (push) => push.random === qr.random);
    // Awaited below; if scan or confirm throws first, that is the error the run reports.
    pushed.catch(() => undefined);
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
