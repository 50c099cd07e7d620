/**
 * @module
 * `startServer()`: a real qrlogin on 127.0.0.1, port 0, with its config built after the port
 * is known (so PUBLIC_URL and the issuer are real). `env` takes the same variables as
 * server/index.ts; `configure` may change the parsed config (e.g. add apps).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type AppDeps, type QrLoginApp, createApp } from '../../server/app';
import type { SigningKey } from '../../server/auth/keys';
import { type AdapterKind, createRedisBackend } from '../../server/backend/redis';
import { type AppConfig, type Config, loadConfig } from '../../server/config';
import { sha256 } from '../../server/domain/secrets';
import { createHttpServer } from '../../server/http/server-options';
import { createLogger } from '../../server/logger';

export const ROOT = join(__dirname, '..', '..');
export const PUBLIC_DIR = join(ROOT, 'dist', 'public');

export interface TestServer {
  url: string;
  port: number;
  config: Config;
  app: QrLoginApp;
  /** Every log line the server wrote (JSON text). */
  logs: string[];
  /** The demo app's secret (for server-side ticket exchange). */
  demoAppSecret: string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  configure?: (config: Config) => Config;
  deps?: Omit<AppDeps, 'httpServer' | 'logger'>;
  /** Run on the Redis backend (the same wiring as server/index.ts with REDIS_URL). */
  /** A Redis backend: one Redis at `url`, or a Redis Cluster through its seed `nodes` (URLs). */
  redis?: {
    url?: string;
    nodes?: readonly string[];
    prefix: string;
    adapter?: AdapterKind;
    signingKey?: SigningKey | null;
    waitReplicas?: number;
  };
}

export const DEMO_APP_SECRET = 'test-demo-app-secret-0123456789';

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const httpServer = createHttpServer();
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const { config: parsed } = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: url,
    QRLOGIN_DEMO_APP_SECRET: DEMO_APP_SECRET,
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const config = options.configure ? options.configure(parsed) : parsed;
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(line));
  const backend = options.redis
    ? await createRedisBackend({
        target: options.redis.nodes
          ? { kind: 'cluster', nodes: options.redis.nodes }
          : { kind: 'standalone', url: options.redis.url ?? 'redis://127.0.0.1:6379' },
        prefix: options.redis.prefix,
        ...(options.redis.waitReplicas === undefined ? {} : { waitReplicas: options.redis.waitReplicas }),
        signingKey: options.redis.signingKey ?? null,
        keyRetainMs: config.userTokenTtlSeconds * 1000,
        adapter: options.redis.adapter,
        connectTimeoutMs: 5_000,
        logger,
        now: Date.now,
      })
    : undefined;
  const app = createApp(config, {
    publicDir: PUBLIC_DIR,
    ...(backend ? { backend } : {}),
    ...options.deps,
    httpServer,
    logger,
  });
  return {
    url,
    port,
    config,
    app,
    logs,
    demoAppSecret: DEMO_APP_SECRET,
    close: () => app.close(),
  };
}

/** An app for tests, with the demo app's defaults unless overridden. */
export function testApp(config: Config, overrides: Partial<AppConfig> & { id: string; secret?: string }): AppConfig {
  const { secret, ...rest } = overrides;
  const demo = config.apps[0];
  if (!demo) throw new Error('no demo app');
  // Not the demo website's back-channel endpoint: a test app names its own when it has one.
  const { backchannelLogoutUri: _demoOnly, ...defaults } = demo;
  return { ...defaults, name: `test app ${rest.id}`, ...(secret ? { secretHash: sha256(secret) } : {}), ...rest };
}

/** The config with extra apps. */
export function withApps(...apps: ((config: Config) => AppConfig)[]): (config: Config) => Config {
  return (config) => ({ ...config, apps: [...config.apps, ...apps.map((make) => make(config))] });
}

/**
 * One server for a whole test file: started before its tests, closed after them. Call the
 * returned function inside a test to get it.
 */
export function useServer(options: StartOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer(options);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the test server is not running (useServer registers beforeAll)');
    return server;
  };
}
