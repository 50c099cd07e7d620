/**
 * @module
 * `startIdp()`: the company identity provider of tests/helpers/idp/provider.mjs in a child
 * process (oidc-provider is ESM-only and stays out of jest's module system), which a test may
 * stop (the provider unreachable) and start again on the same port, with the same keys or new
 * ones (a key rotation). `signingKeys()` makes the private keys in the test, so a test can also
 * sign tokens of its own with them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type JsonWebKey, type KeyObject, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';

/** The provider's keys: the private JWK set it signs with, and the same keys for the test. */
export interface SigningKeys {
  jwks: { keys: (JsonWebKey & { kid: string })[] };
  rsa: { kid: string; privateKey: KeyObject };
  ec: { kid: string; privateKey: KeyObject };
}

/** An RSA key (RS256, PS256) and a P-256 key (ES256), with kids starting `name`. */
export function signingKeys(name: string): SigningKeys {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const rsaKid = `${name}-rsa`;
  const ecKid = `${name}-ec`;
  return {
    jwks: {
      keys: [
        { ...rsa.export({ format: 'jwk' }), kid: rsaKid, use: 'sig' },
        { ...ec.export({ format: 'jwk' }), kid: ecKid, use: 'sig' },
      ],
    },
    rsa: { kid: rsaKid, privateKey: rsa },
    ec: { kid: ecKid, privateKey: ec },
  };
}

/** What `/test/mint` takes: the account, the resource server (a JWT for jwt ones), the alg. */
export interface MintOptions {
  resource?: string;
  alg?: string;
  expired?: boolean;
  /** Seconds the token lives (default: the provider's hour). */
  expiresIn?: number;
  /** A refresh token of the phone app instead of an access token (opaque, introspectable). */
  refresh?: boolean;
  /** Claims the account gets from now on (merged over its standard ones). */
  claims?: Record<string, unknown>;
}

export interface TestIdp {
  issuer: string;
  port: number;
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  keys: SigningKeys;
  /** An access token for `accountId`. */
  mint(accountId: string, options?: MintOptions): Promise<string>;
  /** Revokes an opaque access token. */
  revoke(token: string): Promise<void>;
  /** Requests the provider has had at `path` (e.g. `/token/introspection`, `/jwks`) since it last started. */
  requests(path: string): Promise<number>;
  /** SIGTERM to the process, by its PID (SIGKILL if it has not exited within 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with `keys` (default: the keys it had). */
  start(keys?: SigningKeys): Promise<void>;
}

const SCRIPT = join(__dirname, 'provider.mjs');
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** Has characters that RFC 6749 §2.3.1 makes a client form-encode before HTTP Basic (VSCHARs only). */
export const IDP_CLIENT_SECRET = 'intro spection+secret:/%&=~';

async function spawnIdp(port: number, keys: SigningKeys): Promise<{ child: ChildProcess; port: number; issuer: string }> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      IDP_PORT: String(port),
      IDP_JWKS: JSON.stringify(keys.jwks),
      IDP_INTROSPECTION_SECRET: IDP_CLIENT_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const ready = await new Promise<{ port: number; issuer: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the identity provider did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { port: number; issuer: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the identity provider exited with ${code}: ${stderr}`));
    });
  });
  return { child, ...ready };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

export async function startIdp(initialKeys: SigningKeys = signingKeys('idp1')): Promise<TestIdp> {
  let keys = initialKeys;
  let running = await spawnIdp(0, keys);
  const { port, issuer } = running;
  const idp: TestIdp = {
    issuer,
    port,
    introspectionUrl: `${issuer}/token/introspection`,
    clientId: 'qrlogin',
    clientSecret: IDP_CLIENT_SECRET,
    get keys() {
      return keys;
    },
    async mint(accountId, options = {}) {
      const { token } = await post(`${issuer}/test/mint`, { accountId, ...options });
      if (typeof token !== 'string') throw new Error('the identity provider minted no token');
      return token;
    },
    async revoke(token) {
      await post(`${issuer}/test/revoke`, { token });
    },
    async requests(path) {
      const response = await fetch(`${issuer}/test/requests`, { signal: AbortSignal.timeout(5_000) });
      const counts = (await response.json()) as Record<string, number>;
      return counts[path] ?? 0;
    },
    stop: () => stopChild(running.child),
    async start(next = keys) {
      await stopChild(running.child);
      keys = next;
      running = await spawnIdp(port, keys);
    },
  };
  return idp;
}
