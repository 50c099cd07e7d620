/**
 * @module
 * `loadConfig(env)`: the environment parsed once into a frozen, typed `Config`, with every
 * problem reported together. Pure: it reads only the object it is given (server/index.ts
 * passes `process.env`) and generates nothing but a demo app secret when none is set.
 */
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../domain/app';
import { readApps } from './apps';
import { type IdentityConfig, readIdentity } from './identity';
import { checkDeployment } from './production';
import { type Env, parseTrustProxy, reader } from './reader';
import { type RedisConfig, readRedis } from './redis';
import { newSecret, sha256 } from '../domain/secrets';
import { type RateLimits, parseRateLimits } from '../ratelimit/limits';

export interface Config extends RedisConfig {
  /** From `NODE_ENV`. @default 'development' */
  env: 'production' | 'development' | 'test';
  /** `PORT`. @default 3000 */
  port: number;
  /** `HOST`, the address to listen on. @default '0.0.0.0' */
  host: string;
  /** `PUBLIC_URL`: the URL browsers reach this service at. @default http://localhost:PORT */
  publicUrl: string;
  /** `ISSUER` of ID tokens. @default PUBLIC_URL */
  issuer: string;
  /** `USER_POOL_ID`, written into the QR (Authing's field). @default 'qrlogin' */
  userPoolId: string;
  /**
   * Where state lives: `embedded` (durable, under `dataDir`; one instance), `memory` (lost on
   * restart; tests), or `redis` (any number of instances). `STORE`; @default `redis` with
   * `REDIS_URL` or `REDIS_CLUSTER_NODES`, else `embedded`
   */
  store: StoreKind;
  /** `DATA_DIR`: the embedded store's folder, as given (relative to the working directory). @default './data' */
  dataDir: string;
  /**
   * `DATA_SYNC`: when the embedded store's commits reach the disk — `interval` (every second,
   * like Redis's `appendfsync everysec`; a killed process loses nothing) or `commit` (each one
   * before it is answered). @default 'interval'
   */
  dataSync: 'interval' | 'commit';
  /** `REDIS_KEY_PREFIX` for every Redis key and channel. @default 'qrlogin:' */
  redisKeyPrefix: string;
  /** `QR_TTL_SECONDS`. @default 120 */
  qrTtlSeconds: number;
  /** `TICKET_TTL_SECONDS`. @default 60 */
  ticketTtlSeconds: number;
  /** `ID_TOKEN_TTL_SECONDS`. @default 3600 */
  idTokenTtlSeconds: number;
  /** `USER_TOKEN_TTL_SECONDS`: lifetime of the phone's user token. @default 604800 (7 days) */
  userTokenTtlSeconds: number;
  /**
   * `SESSION_TTL_SECONDS`: how long a signed-in browser is listed on the phone (and can be
   * signed out from it), and how long the OpenID Connect provider remembers a browser's
   * sign-in. @default 1209600 (14 days)
   */
  sessionTtlSeconds: number;
  /** `SIGNING_KEY` (PEM text) or `SIGNING_KEY_FILE` (path); null generates one at start. */
  signingKey: { pem: string } | { file: string } | null;
  /** `ALLOW_REGISTRATION`: the built-in directory accepts sign-ups. @default true */
  allowRegistration: boolean;
  /** `BUILTIN_USERS` and the company's own identity provider (`USER_TOKEN_*`). */
  identity: IdentityConfig;
  /** `TRUST_PROXY`, Express's `trust proxy` (for the client IP behind a load balancer). @default 'loopback' */
  trustProxy: boolean | number | string;
  /** `LOG_LEVEL`. @default 'info' */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** `LOG_FORMAT`: `json` (one JSON object per line) or `pretty` (pino-pretty, for a terminal). @default 'json' */
  logFormat: 'json' | 'pretty';
  /** `MAX_SOCKETS_PER_IP`: open Socket.IO connections per client address and instance; 0: no cap. @default 1000 */
  maxSocketsPerIp: number;
  /** `SHUTDOWN_TIMEOUT_MS`: how long a graceful shutdown may take. @default 10000 */
  shutdownTimeoutMs: number;
  /** `RATE_LIMITS` over the defaults of server/ratelimit/limits.ts. */
  rateLimits: RateLimits;
  /** `METRICS`: count Prometheus metrics and serve `GET /metrics` (off: the benchmark's baseline). @default true */
  metrics: boolean;
  /** `METRICS_TOKEN`: a bearer token that opens `/metrics` to non-private addresses. @default null */
  metricsToken: string | null;
  /** The apps: those of `APPS_FILE`/`APPS`, plus `demo` outside production (or alone). */
  apps: readonly AppConfig[];
  /** The app used when a request names none. @default 'demo' */
  defaultAppId: string;
  /**
   * `DEMO_PAGES`: serve the demo website (`/`) and phone page (`/mobile`). The web SDK
   * (`/sdk/qrlogin.js`) is always served. @default true, false in production
   */
  demoPages: boolean;
}

export type { AppConfig } from '../domain/app';
export type { ExternalIdentityConfig, IdentityConfig, IntrospectionConfig } from './identity';

export const STORE_KINDS = ['embedded', 'memory', 'redis'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface LoadedConfig {
  config: Config;
  /** Set when `QRLOGIN_DEMO_APP_SECRET` was unset: print it once at start. */
  generatedDemoAppSecret: string | null;
  /** Insecure defaults in use, to print loudly at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/**
 * Parses the environment; throws {@link ConfigError} listing every problem. `readText` reads
 * `APPS_FILE` (the one file the configuration itself points at).
 */
export function loadConfig(env: Env, readText: (path: string) => string = (path) => readFileSync(path, 'utf8')): LoadedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = reader(env, problems);

  const nodeEnv = read.raw('NODE_ENV');
  const mode: Config['env'] = nodeEnv === 'production' ? 'production' : nodeEnv === 'test' ? 'test' : 'development';
  const port = read.int('PORT', 3000, 0, 65535);
  const publicUrl = read.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const issuer = read.url('ISSUER', ['http:', 'https:']) ?? publicUrl;
  const qrTtlSeconds = read.int('QR_TTL_SECONDS', 120, 1, 3600);
  const ticketTtlSeconds = read.int('TICKET_TTL_SECONDS', 60, 1, 3600);

  const logLevel = read.raw('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = read.raw('LOG_FORMAT') ?? 'json';
  if (logFormat !== 'json' && logFormat !== 'pretty') problems.push('LOG_FORMAT must be json or pretty');

  const redis = readRedis(read, problems);
  const store = readStore(
    read.raw('STORE'),
    redis.redisClusterNodes ? 'REDIS_CLUSTER_NODES' : redis.redisUrl ? 'REDIS_URL' : null,
    problems,
  );
  const pem = read.raw('SIGNING_KEY');
  const file = read.raw('SIGNING_KEY_FILE');
  if (pem && file) problems.push('set SIGNING_KEY or SIGNING_KEY_FILE, not both');
  const signingKey = pem ? { pem: pem.replace(/\\n/g, '\n') } : file ? { file } : null;
  const production = mode === 'production';
  const identity = readIdentity(read, production, problems, warnings);
  if (identity.external?.issuer?.replace(/\/+$/, '') === issuer) {
    problems.push('USER_TOKEN_ISSUER must not be ISSUER: qrlogin’s own ID tokens would then pass for phone tokens');
  }

  const configuredDemoSecret = read.raw('QRLOGIN_DEMO_APP_SECRET');
  if (configuredDemoSecret !== undefined && configuredDemoSecret.length < 16) {
    problems.push('QRLOGIN_DEMO_APP_SECRET must be at least 16 characters');
  }
  const demoSecret = configuredDemoSecret ?? newSecret();
  const publicOrigin = new URL(publicUrl).origin;
  const demoPages = read.bool('DEMO_PAGES', !production);
  const demo: AppConfig = Object.freeze({
    id: 'demo',
    name: 'qrlogin demo',
    secretHash: sha256(demoSecret),
    origins: Object.freeze([publicOrigin, 'http://localhost:*', 'http://127.0.0.1:*']),
    bindTicketToBrowser: true,
    allowBrowserExchange: true,
    showScannerOnWeb: false,
    qrTtlSeconds,
    ticketTtlSeconds,
    numberMatching: false,
    // Not an OpenID Connect client: an app of one's own lists its redirect URIs.
    redirectUris: Object.freeze([]),
    postLogoutRedirectUris: Object.freeze([]),
    // The demo website's backend (server/http/demo-site.ts) hears of the phone's sign-outs.
    ...(demoPages ? { backchannelLogoutUri: `${publicUrl.replace(/\/+$/, '')}/demo/api/backchannel-logout` } : {}),
  });

  const configured = readApps(read, readText, problems, warnings);
  const ownApps: AppConfig[] = (configured?.apps ?? []).map((app) =>
    Object.freeze({
      ...app,
      qrTtlSeconds: app.qrTtlSeconds ?? qrTtlSeconds,
      ticketTtlSeconds: app.ticketTtlSeconds ?? ticketTtlSeconds,
    }),
  );
  // The demo app serves the demo pages. It admits any localhost port, so production never has
  // it: production lists its own apps (an app of one's own may take the id `demo`).
  const keepDemo = !production && !ownApps.some((app) => app.id === 'demo');
  checkDeployment({ production, read, signingKey, store, ownApps, observerTickets: configured?.observerTickets ?? [] }, problems, warnings);
  const apps = [...(keepDemo ? [demo] : []), ...ownApps];
  const defaultAppId = configured?.defaultAppId ?? apps[0]?.id ?? 'demo';

  const config: Config = Object.freeze({
    env: mode,
    port,
    host: read.raw('HOST') ?? '0.0.0.0',
    publicUrl,
    issuer,
    userPoolId: read.raw('USER_POOL_ID') ?? 'qrlogin',
    store,
    dataDir: read.raw('DATA_DIR') ?? './data',
    dataSync: readDataSync(read.raw('DATA_SYNC'), problems),
    ...redis,
    redisKeyPrefix: read.raw('REDIS_KEY_PREFIX') ?? 'qrlogin:',
    qrTtlSeconds,
    ticketTtlSeconds,
    idTokenTtlSeconds: read.int('ID_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    userTokenTtlSeconds: read.int('USER_TOKEN_TTL_SECONDS', 604_800, 60, 31_536_000),
    sessionTtlSeconds: read.int('SESSION_TTL_SECONDS', 1_209_600, 300, 31_536_000),
    signingKey,
    allowRegistration: read.bool('ALLOW_REGISTRATION', true),
    identity,
    trustProxy: parseTrustProxy(read.raw('TRUST_PROXY')),
    logLevel: logLevel as Config['logLevel'],
    logFormat: logFormat as Config['logFormat'],
    maxSocketsPerIp: read.int('MAX_SOCKETS_PER_IP', 1000, 0, 1_000_000),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 120_000),
    rateLimits: parseRateLimits(read.raw('RATE_LIMITS'), problems),
    metrics: read.bool('METRICS', true),
    metricsToken: readMetricsToken(read.raw('METRICS_TOKEN'), problems),
    apps: Object.freeze(apps),
    defaultAppId,
    demoPages,
  });
  // Every problem, including those found while building the object, is reported at once.
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    config,
    generatedDemoAppSecret: configuredDemoSecret === undefined && keepDemo ? demoSecret : null,
    warnings,
  };
}

/** `STORE`, checked against `REDIS_URL` / `REDIS_CLUSTER_NODES` (Redis is used exactly when one is given). */
function readStore(value: string | undefined, redisGiven: 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | null, problems: string[]): StoreKind {
  const fallback: StoreKind = redisGiven ? 'redis' : 'embedded';
  if (value === undefined) return fallback;
  if (!(STORE_KINDS as readonly string[]).includes(value)) {
    problems.push(`STORE must be one of ${STORE_KINDS.join(', ')}`);
    return fallback;
  }
  if (value === 'redis' && !redisGiven) problems.push('STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES');
  if (value !== 'redis' && redisGiven) problems.push(`STORE=${value} and ${redisGiven} contradict each other: set one`);
  return value as StoreKind;
}

/** `METRICS_TOKEN`: long enough not to be guessed (its value is never named in a problem). */
function readMetricsToken(value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  if (value.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  return value;
}

function readDataSync(value: string | undefined, problems: string[]): Config['dataSync'] {
  if (value === undefined || value === 'interval' || value === 'commit') return value ?? 'interval';
  problems.push('DATA_SYNC must be interval or commit');
  return 'interval';
}
