/**
 * @module
 * The HTTP server's own limits against slow clients: a request's headers must arrive within
 * 5 s and the whole request within 10 s (a slow-header or slow-body client is cut off instead
 * of holding a connection), checked every second. Idle keep-alive connections close after
 * Node's 5 s. Answers may take as long as they need (a long poll waits ~25 s): only the
 * request's arrival is timed.
 */
import { type Server, type ServerOptions, createServer } from 'node:http';

export const HTTP_SERVER_OPTIONS = Object.freeze({
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
} satisfies ServerOptions);

/** A `node:http` server with {@link HTTP_SERVER_OPTIONS}, not listening yet. */
export function createHttpServer(): Server {
  return createServer({ ...HTTP_SERVER_OPTIONS });
}
