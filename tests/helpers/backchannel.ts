/**
 * @module
 * A website's back-channel logout endpoint for tests: a real HTTP server on 127.0.0.1 that
 * records every POST (its form's `logout_token`) and answers with the statuses it is given in
 * turn (200 once they run out), and the checks a relying party makes of a logout token
 * (OIDC Back-Channel Logout 1.0 §2.6) with `jose` against the issuer's published JWKS.
 */
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose';

export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface BackchannelDelivery {
  contentType: string;
  token: string;
}

export interface BackchannelEndpoint {
  url: string;
  deliveries: BackchannelDelivery[];
  /** Resolves once `count` deliveries arrived (rejects after `timeoutMs`). */
  received(count: number, timeoutMs?: number): Promise<BackchannelDelivery[]>;
  close(): Promise<void>;
}

/** `statuses`: the answers to the first POSTs, in order (`'reset'` drops the connection). */
export async function startBackchannelEndpoint(statuses: (number | 'reset')[] = []): Promise<BackchannelEndpoint> {
  const deliveries: BackchannelDelivery[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      deliveries.push({ contentType: req.headers['content-type'] ?? '', token: form.get('logout_token') ?? '' });
      for (const wake of waiters) wake();
      const answer = statuses.shift() ?? 200;
      if (answer === 'reset') req.socket.destroy();
      else res.writeHead(answer, { 'cache-control': 'no-store' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    deliveries,
    received: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (deliveries.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(deliveries.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${deliveries.length} of ${count} back-channel deliveries arrived`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A logout token verified as a relying party must (§2.6): signature, iss, aud, typ, events, no nonce. */
export async function verifyLogoutToken(
  token: string,
  options: { issuer: string; jwksUrl: string; audience: string },
): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(options.jwksUrl)), {
    issuer: options.issuer,
    audience: options.audience,
    typ: 'logout+jwt',
    requiredClaims: ['iat', 'exp', 'jti', 'sid', 'sub'],
  });
  if (protectedHeader.typ !== 'logout+jwt') throw new Error('not a logout token');
  const events = payload.events as Record<string, unknown> | undefined;
  if (typeof events?.[LOGOUT_EVENT] !== 'object') throw new Error('no back-channel logout event');
  if ('nonce' in payload) throw new Error('a logout token must not carry a nonce');
  return payload;
}
