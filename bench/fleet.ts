/**
 * The idle fleet: a process of its own that holds thousands of waiting browsers, so that the
 * load generator's event loop and the server's measurements are not disturbed by them.
 * A waiting browser on qrlogin is a socket subscribed to a pending QR that sits in the store,
 * made in one step with `qr:create` (the widget makes the same state in two: HTTP gene, then
 * `qr:subscribe`). On the floor server it is a socket that joined a room of its own.
 * Driven over IPC by bench/lib/fleet-control.ts:
 *   {grow: N, mode, urls}  → connects until N sockets are held (spread over urls) → {held, failed}
 *   {close: true}          → disconnects every socket it holds → {held: 0, failed: 0}
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { connect, request } from './lib/sockets';

export type FleetMode = 'qrlogin' | 'floor';
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

async function open(url: string, mode: FleetMode): Promise<void> {
  const socket = await connect(url, 30_000);
  try {
    if (mode === 'qrlogin') {
      const ack = await request<{ ok: boolean; error?: { code: number } }>(socket, 'qr:create', {}, 30_000);
      if (!ack.ok) throw new Error(`qr:create: code ${ack.error?.code ?? '?'}`);
    } else {
      await request(socket, 'join', randomBytes(16).toString('base64url'), 30_000);
    }
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
