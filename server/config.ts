/**
 * @module
 * `loadConfig(env)`: the environment parsed once into a frozen, typed `Config`, with every
 * problem reported together. Pure: it reads only the object it is given (server/index.ts
 * passes `process.env`) and generates nothing but a demo app secret when none is set.
 */
import { readFileSync } from 'node:fs';
import { parseApps } from './apps-config';
import { newSecret, sha256 } from './domain/secrets';
import { type RateLimits, parseRateLimits } from './ratelimit/limits';

/** A website (relying party) allowed to show qrlogin QR codes. */
export interface AppConfig {
  id: string;
  name: string;
  /** SHA-256 of the app secret used for server-side ticket exchange. */
  secretHash: string;
  /**
   * Browser origins allowed to use this app: exact (`https://shop.example`) or any port of a
   * host (`http://localhost:*`). The qrlogin server's own origin is always allowed.
   */
  origins: readonly string[];
  /** Tickets reach only the browser that proves the QR's secret. @default true */
  bindTicketToBrowser: boolean;
  /** The browser may exchange the ticket itself (with the secret), not only the app's backend. */
  allowBrowserExchange: boolean;
  /** The website sees the scanner's nickname and photo once scanned. @default false */
  showScannerOnWeb: boolean;
  /** QR lifetime in seconds. @default QR_TTL_SECONDS */
  qrTtlSeconds: number;
  /** Ticket lifetime in seconds. @default TICKET_TTL_SECONDS */
  ticketTtlSeconds: number;
  /** The browser shows a 2-digit code the phone user must pick among three. @default false */
  numberMatching: boolean;
}

export interface Config {
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
  /** `REDIS_URL`; null runs the embedded memory store (one instance). @default null */
  redisUrl: string | null;
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
  /** `SIGNING_KEY` (PEM text) or `SIGNING_KEY_FILE` (path); null generates one at start. */
  signingKey: { pem: string } | { file: string } | null;
  /** `ALLOW_REGISTRATION`: the built-in directory accepts sign-ups. @default true */
  allowRegistration: boolean;
  /** `TRUST_PROXY`, Express's `trust proxy` (for the client IP behind a load balancer). @default 'loopback' */
  trustProxy: boolean | number | string;
  /** `LOG_LEVEL`. @default 'info' */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** `MAX_SOCKETS_PER_IP`: open Socket.IO connections per client address and instance; 0: no cap. @default 1000 */
  maxSocketsPerIp: number;
  /** `SHUTDOWN_TIMEOUT_MS`: how long a graceful shutdown may take. @default 10000 */
  shutdownTimeoutMs: number;
  /** `RATE_LIMITS` over the defaults of server/ratelimit/limits.ts. */
  rateLimits: RateLimits;
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

type Env = Readonly<Record<string, string | undefined>>;

function reader(env: Env, problems: string[]) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    raw,
    int(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        problems.push(`${name} must be an integer from ${min} to ${max}`);
        return fallback;
      }
      return parsed;
    },
    bool(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      problems.push(`${name} must be true or false`);
      return fallback;
    },
    url(name: string, protocols: readonly string[]): string | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      try {
        const url = new URL(value);
        if (!protocols.includes(url.protocol)) throw new Error('protocol');
        return value.replace(/\/+$/, '');
      } catch {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
        return undefined;
      }
    },
  };
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return 'loopback';
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
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
  const mode: Config['env'] =
    nodeEnv === 'production' ? 'production' : nodeEnv === 'test' ? 'test' : 'development';
  const port = read.int('PORT', 3000, 0, 65535);
  const publicUrl = read.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const issuer = read.url('ISSUER', ['http:', 'https:']) ?? publicUrl;
  const qrTtlSeconds = read.int('QR_TTL_SECONDS', 120, 1, 3600);
  const ticketTtlSeconds = read.int('TICKET_TTL_SECONDS', 60, 1, 3600);

  const logLevel = read.raw('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const redisUrl = read.url('REDIS_URL', ['redis:', 'rediss:']) ?? null;
  const pem = read.raw('SIGNING_KEY');
  const file = read.raw('SIGNING_KEY_FILE');
  if (pem && file) problems.push('set SIGNING_KEY or SIGNING_KEY_FILE, not both');
  const signingKey = pem ? { pem: pem.replace(/\\n/g, '\n') } : file ? { file } : null;
  const production = mode === 'production';
  if (!signingKey && production) {
    problems.push('NODE_ENV=production needs SIGNING_KEY or SIGNING_KEY_FILE (a generated key is for development only)');
  } else if (!signingKey) {
    warnings.push(
      redisUrl
        ? 'no SIGNING_KEY or SIGNING_KEY_FILE: the instances share a generated signing key kept in Redis; set a key of your own in production'
        : 'no SIGNING_KEY or SIGNING_KEY_FILE: a signing key is generated at start; ID tokens stop verifying when the process restarts',
    );
  }

  const configuredDemoSecret = read.raw('QRLOGIN_DEMO_APP_SECRET');
  if (configuredDemoSecret !== undefined && configuredDemoSecret.length < 16) {
    problems.push('QRLOGIN_DEMO_APP_SECRET must be at least 16 characters');
  }
  const demoSecret = configuredDemoSecret ?? newSecret();
  const publicOrigin = new URL(publicUrl).origin;
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
  });

  const appsFile = read.raw('APPS_FILE');
  const appsInline = read.raw('APPS');
  let appsText: { text: string; source: string } | null = null;
  if (appsFile && appsInline) problems.push('set APPS_FILE or APPS, not both');
  else if (appsFile) {
    try {
      appsText = { text: readText(appsFile), source: `APPS_FILE ${appsFile}` };
    } catch (error) {
      problems.push(`APPS_FILE ${appsFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (appsInline) appsText = { text: appsInline, source: 'APPS' };
  const configured = appsText ? parseApps(appsText.text, appsText.source) : null;
  if (configured) problems.push(...configured.problems);
  for (const id of configured?.value?.plainSecrets ?? []) {
    warnings.push(`app "${id}" has a plain secret in its configuration; give secretSha256 instead`);
  }
  for (const app of configured?.value?.apps ?? []) {
    if (app.origins.includes('null')) {
      warnings.push(`app "${app.id}" lists the origin "null": any website can make a page with that origin (a sandboxed iframe), so every website may use this app`);
    }
  }
  for (const { id, explicit } of configured?.value?.observerTickets ?? []) {
    const risk = `app "${id}" does not bind tickets to the browser: anyone who sees its QR code (over a shoulder, on a camera, in a screenshot) can poll check and collect the login`;
    if (mode === 'production' && !explicit) {
      problems.push(`NODE_ENV=production: ${risk}; if that is really wanted, say so with "insecureObserverTickets": true`);
    } else warnings.push(`${risk} (insecureObserverTickets)`);
  }
  const ownApps: AppConfig[] = (configured?.value?.apps ?? []).map((app) =>
    Object.freeze({
      ...app,
      qrTtlSeconds: app.qrTtlSeconds ?? qrTtlSeconds,
      ticketTtlSeconds: app.ticketTtlSeconds ?? ticketTtlSeconds,
    }),
  );
  // The demo app serves the demo pages. It admits any localhost port, so production never has
  // it: production lists its own apps (an app of one's own may take the id `demo`).
  const keepDemo = !production && !ownApps.some((app) => app.id === 'demo');
  if (production) {
    if (ownApps.length === 0) problems.push('NODE_ENV=production needs APPS_FILE or APPS (the built-in demo app admits any localhost origin)');
    for (const app of ownApps) {
      const wildcards = app.origins.filter((origin) => origin.endsWith(':*'));
      if (wildcards.length > 0) problems.push(`NODE_ENV=production: app "${app.id}" has wildcard-port origins (${wildcards.join(', ')}); list exact origins`);
    }
    if (read.raw('TRUST_PROXY') === 'true') {
      problems.push('NODE_ENV=production: TRUST_PROXY=true believes any X-Forwarded-For a client sends (its IP for rate limits and for the phone); give the number of proxy hops or their addresses');
    }
    if (read.raw('RATE_LIMITS') === 'off') warnings.push('RATE_LIMITS=off in production: nothing stops brute force on check, userinfo or login');
    if (read.raw('ALLOW_REGISTRATION') === undefined) {
      problems.push('NODE_ENV=production: set ALLOW_REGISTRATION to true or false (whether anyone may sign up must be a decision, not a default)');
    }
  }
  const apps = [...(keepDemo ? [demo] : []), ...ownApps];
  const defaultAppId = configured?.value?.defaultAppId ?? apps[0]?.id ?? 'demo';

  const config: Config = Object.freeze({
    env: mode,
    port,
    host: read.raw('HOST') ?? '0.0.0.0',
    publicUrl,
    issuer,
    userPoolId: read.raw('USER_POOL_ID') ?? 'qrlogin',
    redisUrl,
    redisKeyPrefix: read.raw('REDIS_KEY_PREFIX') ?? 'qrlogin:',
    qrTtlSeconds,
    ticketTtlSeconds,
    idTokenTtlSeconds: read.int('ID_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    userTokenTtlSeconds: read.int('USER_TOKEN_TTL_SECONDS', 604_800, 60, 31_536_000),
    signingKey,
    allowRegistration: read.bool('ALLOW_REGISTRATION', true),
    trustProxy: parseTrustProxy(read.raw('TRUST_PROXY')),
    logLevel: logLevel as Config['logLevel'],
    maxSocketsPerIp: read.int('MAX_SOCKETS_PER_IP', 1000, 0, 1_000_000),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 120_000),
    rateLimits: parseRateLimits(read.raw('RATE_LIMITS'), problems),
    apps: Object.freeze(apps),
    defaultAppId,
    demoPages: read.bool('DEMO_PAGES', !production),
  });
  // Every problem, including those found while building the object, is reported at once.
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    config,
    generatedDemoAppSecret: configuredDemoSecret === undefined && keepDemo ? demoSecret : null,
    warnings,
  };
}

/** Whether `origin` is allowed by one of an app's origin patterns. */
export function originAllowed(app: AppConfig, origin: string): boolean {
  return app.origins.some((pattern) => {
    if (!pattern.endsWith(':*')) return pattern === origin;
    const host = pattern.slice(0, -2); // "http://localhost"
    if (origin === host) return true; // the scheme's default port
    if (!origin.startsWith(`${host}:`)) return false;
    const port = origin.slice(host.length + 1);
    return /^[1-9]\d{0,4}$/.test(port) && Number(port) <= 65_535;
  });
}
