/**
 * @module
 * A real webhook receiver on 127.0.0.1: an HTTP server that records every request (raw body
 * and headers), verifies it with the `standardwebhooks` package (the library a website would
 * use, independent of qrlogin's signer) and answers as the test says: a status, or never.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookEvent } from '../../server/webhooks';
import { sleep } from './time';

/** A fresh Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface ReceivedWebhook {
  /** The request's path and query. */
  path: string;
  headers: Record<string, string>;
  /** The body exactly as it arrived. */
  raw: string;
  /** The body parsed; null when it was not JSON. */
  event: WebhookEvent | null;
  /** Whether `standardwebhooks`' `Webhook.verify` accepted it with the receiver's secret. */
  verified: boolean;
  /** The status answered, or 'hang' (no answer). */
  answer: number | 'hang';
}

/** How to answer the `index`-th request (0-based): a status, or 'hang' (never answer). */
export type Answer = (index: number, request: IncomingMessage) => number | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Changes how the next requests are answered. */
  answerWith(answer: Answer): void;
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  secret: string;
  answer?: Answer;
  /** Listen on this port (one chosen earlier, for a receiver that is down at first). */
  port?: number;
  path?: string;
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const verifier = new Webhook(options.secret);
  let answer: Answer = options.answer ?? (() => 200);
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      let verified = true;
      try {
        verifier.verify(raw, headers);
      } catch {
        verified = false;
      }
      let event: WebhookEvent | null;
      try {
        event = JSON.parse(raw) as WebhookEvent;
      } catch {
        event = null;
      }
      const status = answer(received.length, request);
      received.push({ path: request.url ?? '', headers, raw, event, verified, answer: status });
      if (status === 'hang') {
        hanging.add(response);
        return;
      }
      // A redirect points back here, to a path that shows whether it was followed.
      const location = status >= 300 && status < 400 ? { location: '/redirected' } : {};
      response.writeHead(status, { 'content-type': 'text/plain', ...location }).end(status < 300 ? 'ok' : 'no');
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/hooks'}`,
    port,
    received,
    answerWith(next) {
      answer = next;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhooks within ${timeoutMs} ms, got ${received.length}`);
        await sleep(20);
      }
      return received.slice(0, count);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
