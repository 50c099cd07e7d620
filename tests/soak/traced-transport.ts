/**
 * @module
 * engine.io-client's Node WebSocket transport, noting which instance nginx connected the socket
 * to: the soak's nginx names it in an `X-Qrlogin-Upstream` header on every answer, the 101 of
 * a WebSocket upgrade included (balancer.ts). With several tries (a dead instance refused
 * first) the header lists each; the last one holds the socket.
 */
import type { IncomingMessage } from 'node:http';
import { NodeWebSocket } from 'engine.io-client';

interface UpgradeEmitter {
  once(event: 'upgrade', listener: (response: IncomingMessage) => void): void;
}

export class TracedWebSocket extends NodeWebSocket {
  /** `127.0.0.1:port` of the instance behind nginx; null until the upgrade is answered. */
  upstream: string | null = null;

  override createSocket(uri: string, protocols: string | string[] | undefined, opts: Record<string, unknown>): unknown {
    const ws: unknown = super.createSocket(uri, protocols, opts);
    (ws as UpgradeEmitter).once('upgrade', (response) => {
      this.upstream = lastUpstream(response.headers['x-qrlogin-upstream']);
    });
    return ws;
  }
}

/** The instance that answered, from nginx's `$upstream_addr` (`a, b` when it tried two). */
export function lastUpstream(header: string | string[] | null | undefined): string | null {
  const value = Array.isArray(header) ? header.join(', ') : header;
  return value?.split(',').pop()?.trim() || null;
}
