/**
 * The idle fleet: a process of its own that holds thousands of waiting browsers, so that the
 * load generator's event loop and the server's measurements are not disturbed by them.
 * The modes (how a browser opens, bench/lib/login.ts `openBrowser`):
 * - `qrlogin`: a socket that creates its QR with `qr:create`, which subscribes it to the
 *   pending QR in the store: the state the widget reaches with HTTP `gene`, then `qr:subscribe`
 *   (and how it makes its next QRs), in one request;
 * - `qrlogin-widget`: as the widget opens a page's first QR, HTTP `gene`, then a socket that
 *   subscribes with `qr:subscribe {random, secret}` (bench/scaling.ts's waiting browsers);
 * - `qrlogin-image`: as an Authing-style client does, HTTP `gene` (the keep-alive client of
 *   bench/lib/http.ts), the QR image loaded from its `url` (checked to be a PNG), then a socket
 *   that subscribes with `qr:subscribe {random, secret}`;
 * - `floor`: a socket that joined a room of its own on the floor server;
 * - `floor-image`: the floor's `/gene`, its `/qr.png`, a socket and `qr:subscribe` (joins the room).
 * Driven over IPC by bench/lib/fleet-control.ts:
 *   {grow: N, mode, urls}  → connects until N sockets are held (spread over urls) → {held, failed}
 *   {close: true}          → disconnects every socket it holds → {held: 0, failed: 0}
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { closeIdleConnections } from './lib/http';
import { type Opening, floorCalls, openBrowser, qrloginCalls } from './lib/login';
import { connect, request } from './lib/sockets';

export type FleetMode = 'qrlogin' | 'qrlogin-widget' | 'qrlogin-image' | 'floor' | 'floor-image';

/** How each mode but `floor` opens its browser (bench/lib/login.ts). */
const OPENING: Record<Exclude<FleetMode, 'floor'>, Opening> = {
  qrlogin: 'created',
  'qrlogin-widget': 'widget',
  'qrlogin-image': 'image',
  'floor-image': 'image',
};
export interface GrowMessage {
  grow: number;
  mode: FleetMode;
  urls: string[];
}
export interface CloseMessage {
  close: true;
}
export interface GrownMessage {
  held: number;
  failed: number;
  error?: string;
}

const held: Socket[] = [];
const IN_FLIGHT = 64;

const TIMEOUT_MS = 30_000;

async function open(url: string, mode: FleetMode): Promise<void> {
  if (mode !== 'floor') {
    const calls = mode === 'floor-image' ? floorCalls(url) : qrloginCalls(url);
    held.push((await openBrowser(url, calls, OPENING[mode], TIMEOUT_MS)).socket);
    return;
  }
  const socket = await connect(url, TIMEOUT_MS);
  try {
    await request(socket, 'join', randomBytes(16).toString('base64url'), TIMEOUT_MS);
    held.push(socket);
  } catch (error) {
    socket.close();
    throw error;
  }
}

async function grow({ grow: target, mode, urls }: GrowMessage): Promise<GrownMessage> {
  let failed = 0;
  let firstError: string | undefined;
  let next = held.length;
  const worker = async () => {
    while (next < target) {
      const index = next;
      next += 1;
      try {
        await open(urls[index % urls.length] ?? '', mode);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        if (failed > 20) return;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  // The image modes' keep-alive HTTP connections are not browsers: the server should hold none at a reading.
  closeIdleConnections();
  return { held: held.length, failed, ...(firstError ? { error: firstError } : {}) };
}

process.on('message', (message: GrowMessage | CloseMessage) => {
  if ('close' in message) {
    for (const socket of held.splice(0)) socket.close();
    process.send?.({ held: 0, failed: 0 });
    return;
  }
  grow(message).then(
    (answer) => process.send?.(answer),
    (error: unknown) => process.send?.({ held: held.length, failed: -1, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
