/**
 * `loadConfig(env)` (server/config/): defaults, overrides, every problem reported at once,
 * a frozen result. The apps it reads: apps-config.test.ts; their origin patterns:
 * domain-app.test.ts.
 */
import { createHash } from 'node:crypto';
import { ConfigError, loadConfig, type Config } from '../../server/config';
import { sha256 } from '../../server/domain/secrets';
import { DEFAULT_RATE_LIMITS } from '../../server/ratelimit/limits';

const independentSha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig defaults', () => {
  it('pins every default of an empty environment', () => {
    const { config, generatedDemoAppSecret } = loadConfig({});
    expect(generatedDemoAppSecret).toEqual(expect.any(String));
    const expected: Config = {
      env: 'development',
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:3000',
      issuer: 'http://localhost:3000',
      userPoolId: 'qrlogin',
      store: 'embedded',
      dataDir: './data',
      dataSync: 'interval',
      redisUrl: null,
      redisClusterNodes: null,
      redisUsername: null,
      redisPassword: null,
      redisWaitReplicas: 0,
      redisKeyPrefix: 'qrlogin:',
      qrTtlSeconds: 120,
      ticketTtlSeconds: 60,
      idTokenTtlSeconds: 3600,
      userTokenTtlSeconds: 604_800,
      sessionTtlSeconds: 1_209_600,
      signingKey: null,
      allowRegistration: true,
      identity: { builtinUsers: true, external: null },
      trustProxy: 'loopback',
      logLevel: 'info',
      logFormat: 'json',
      maxSocketsPerIp: 1000,
      shutdownTimeoutMs: 10_000,
      rateLimits: DEFAULT_RATE_LIMITS,
      metrics: true,
      metricsToken: null,
      apps: [
        {
          id: 'demo',
          name: 'qrlogin demo',
          secretHash: independentSha256(generatedDemoAppSecret ?? ''),
          origins: ['http://localhost:3000', 'http://localhost:*', 'http://127.0.0.1:*'],
          bindTicketToBrowser: true,
          allowBrowserExchange: true,
          showScannerOnWeb: false,
          qrTtlSeconds: 120,
          ticketTtlSeconds: 60,
          numberMatching: false,
          redirectUris: [],
          postLogoutRedirectUris: [],
          backchannelLogoutUri: 'http://localhost:3000/demo/api/backchannel-logout',
        },
      ],
      defaultAppId: 'demo',
      demoPages: true,
    };
    expect(config).toStrictEqual(expected);
  });

  it('treats empty and blank variables as unset', () => {
    const { config } = loadConfig({ PORT: '', PUBLIC_URL: '   ', QR_TTL_SECONDS: ' ', LOG_LEVEL: '' });
    expect([config.port, config.publicUrl, config.qrTtlSeconds, config.logLevel]).toEqual([3000, 'http://localhost:3000', 120, 'info']);
  });

  it('derives the default public URL from PORT', () => {
    const { config } = loadConfig({ PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.issuer).toBe('http://localhost:8080');
    expect(config.apps[0]?.origins).toContain('http://localhost:8080');
  });

  it('returns a frozen config, frozen apps and frozen origin lists', () => {
    const { config } = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apps)).toBe(true);
    const [demo] = config.apps;
    if (!demo) throw new Error('no demo app');
    expect(Object.isFrozen(demo)).toBe(true);
    expect(Object.isFrozen(demo.origins)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });
});

describe('loadConfig overrides', () => {
  it('trims trailing slashes of PUBLIC_URL and uses it as issuer and allowed origin', () => {
    const { config } = loadConfig({ PUBLIC_URL: 'https://login.example.com/' });
    expect(config.publicUrl).toBe('https://login.example.com');
    expect(config.issuer).toBe('https://login.example.com');
    expect(config.apps[0]?.origins[0]).toBe('https://login.example.com');
  });

  it('trims several trailing slashes after a path, and the origin drops the path', () => {
    const { config } = loadConfig({ PUBLIC_URL: 'https://example.com:8443/qr//' });
    expect(config.publicUrl).toBe('https://example.com:8443/qr');
    expect(config.apps[0]?.origins[0]).toBe('https://example.com:8443');
  });

  it('ISSUER overrides the issuer only', () => {
    const { config } = loadConfig({ PUBLIC_URL: 'https://login.example.com', ISSUER: 'https://id.example.com/' });
    expect(config.issuer).toBe('https://id.example.com');
    expect(config.publicUrl).toBe('https://login.example.com');
  });

  it('reads the other variables', () => {
    const { config } = loadConfig({
      NODE_ENV: 'production',
      SIGNING_KEY_FILE: '/run/secrets/signing_key',
      APPS: JSON.stringify([{ id: 'shop', name: 'Shop', secretSha256: 'A'.repeat(43), origins: ['https://shop.example'] }]),
      HOST: '127.0.0.1',
      REDIS_URL: 'rediss://cache.example.com:6380/',
      QR_TTL_SECONDS: '30',
      TICKET_TTL_SECONDS: '10',
      ALLOW_REGISTRATION: 'off',
      TRUST_PROXY: '2',
      LOG_LEVEL: 'debug',
      USER_POOL_ID: 'pool-1',
    });
    expect(config).toMatchObject({
      env: 'production',
      host: '127.0.0.1',
      store: 'redis',
      redisUrl: 'rediss://cache.example.com:6380',
      qrTtlSeconds: 30,
      ticketTtlSeconds: 10,
      allowRegistration: false,
      trustProxy: 2,
      logLevel: 'debug',
      userPoolId: 'pool-1',
    });
    expect(config.apps[0]).toMatchObject({ qrTtlSeconds: 30, ticketTtlSeconds: 10 });
  });

  it('parses TRUST_PROXY true/false and keeps other values as text', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).config.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).config.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).config.trustProxy).toBe('10.0.0.0/8');
  });
});

describe('demo app secret', () => {
  it('QRLOGIN_DEMO_APP_SECRET is used and not echoed back', () => {
    const secret = 'a-configured-demo-secret-0123456789';
    const { config, generatedDemoAppSecret } = loadConfig({ QRLOGIN_DEMO_APP_SECRET: secret });
    expect(generatedDemoAppSecret).toBeNull();
    expect(config.apps[0]?.secretHash).toBe(sha256(secret));
    expect(config.apps[0]?.secretHash).toBe(independentSha256(secret));
    expect(JSON.stringify(config)).not.toContain(secret);
  });

  it('unset: a fresh ≥ 256-bit secret is generated and returned once', () => {
    const first = loadConfig({});
    const second = loadConfig({});
    const secret = first.generatedDemoAppSecret;
    if (secret === null) throw new Error('no generated secret');
    expect(secret.length).toBeGreaterThanOrEqual(43);
    expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.config.apps[0]?.secretHash).toBe(independentSha256(secret));
    expect(second.generatedDemoAppSecret).not.toBe(secret);
    expect(JSON.stringify(first.config)).not.toContain(secret);
  });

  it('a configured secret shorter than 16 characters is refused', () => {
    expect(configError({ QRLOGIN_DEMO_APP_SECRET: 'short' }).problems).toEqual(['QRLOGIN_DEMO_APP_SECRET must be at least 16 characters']);
  });
});

describe('signing key', () => {
  it('warns about the generated signing key when none is configured (in memory; the embedded store warns naming its file)', () => {
    const { config, warnings } = loadConfig({ STORE: 'memory' });
    expect(config.signingKey).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/SIGNING_KEY/);
    expect(warnings[0]).toMatch(/generated/);
  });

  it('SIGNING_KEY (with escaped newlines) is used and silences the warning', () => {
    const { config, warnings } = loadConfig({ SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----' });
    expect(config.signingKey).toEqual({ pem: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----' });
    expect(warnings).toEqual([]);
  });

  it('SIGNING_KEY_FILE is used and silences the warning', () => {
    const { config, warnings } = loadConfig({ SIGNING_KEY_FILE: '/run/secrets/key.pem' });
    expect(config.signingKey).toEqual({ file: '/run/secrets/key.pem' });
    expect(warnings).toEqual([]);
  });

  it('both at once is a problem', () => {
    expect(configError({ SIGNING_KEY: 'x', SIGNING_KEY_FILE: '/k.pem' }).problems).toEqual([
      'set SIGNING_KEY or SIGNING_KEY_FILE, not both',
    ]);
  });
});

describe('invalid configuration', () => {
  it('reports several bad variables together in one ConfigError', () => {
    const error = configError({ PORT: 'abc', QR_TTL_SECONDS: '0', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    expect(error.name).toBe('ConfigError');
    expect(error).toBeInstanceOf(Error);
    const problems = error.problems;
    expect(problems).toHaveLength(4);
    for (const name of ['PORT', 'QR_TTL_SECONDS', 'REDIS_URL', 'LOG_LEVEL']) {
      expect(problems.filter((problem) => problem.startsWith(`${name} `))).toHaveLength(1);
    }
    for (const problem of problems) expect(error.message).toContain(problem);
  });

  it('reports late-read integers together with early problems', () => {
    const problems = configError({ PORT: '-5', ID_TOKEN_TTL_SECONDS: '1', SHUTDOWN_TIMEOUT_MS: 'x' }).problems;
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual(['PORT', 'ID_TOKEN_TTL_SECONDS', 'SHUTDOWN_TIMEOUT_MS']);
  });

  it('reports a bad variable read late (REDIS_URL) on its own', () => {
    expect(configError({ REDIS_URL: 'http://x' }).problems).toEqual(['REDIS_URL must be a redis: or rediss: URL']);
  });

  it.each([
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['QR_TTL_SECONDS', '3601'],
    ['TICKET_TTL_SECONDS', '0'],
    ['ID_TOKEN_TTL_SECONDS', '59'],
    ['USER_TOKEN_TTL_SECONDS', 'forever'],
    ['SHUTDOWN_TIMEOUT_MS', '99'],
    ['PUBLIC_URL', 'ftp://example.com'],
    ['PUBLIC_URL', 'not a url'],
    ['ISSUER', 'example.com'],
    ['ALLOW_REGISTRATION', 'maybe'],
  ])('%s=%s is a problem', (name, value) => {
    const problems = configError({ [name]: value }).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(`${name} must be`)).toBe(true);
  });
});

describe('STORE and DATA_DIR', () => {
  it('is embedded in ./data without REDIS_URL, redis with it, memory when asked', () => {
    expect(loadConfig({}).config).toMatchObject({ store: 'embedded', dataDir: './data' });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).config.store).toBe('redis');
    expect(loadConfig({ STORE: 'memory' }).config.store).toBe('memory');
    expect(loadConfig({ DATA_SYNC: 'commit' }).config.dataSync).toBe('commit');
    expect(loadConfig({ STORE: 'embedded', DATA_DIR: '/var/lib/qrlogin' }).config).toMatchObject({
      store: 'embedded',
      dataDir: '/var/lib/qrlogin',
    });
  });

  it.each([
    [{ STORE: 'sqlite' }, 'STORE must be one of embedded, memory, redis'],
    [{ DATA_SYNC: 'never' }, 'DATA_SYNC must be interval or commit'],
    [{ STORE: 'redis' }, 'STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES'],
    [{ STORE: 'memory', REDIS_URL: 'redis://127.0.0.1:6379' }, 'STORE=memory and REDIS_URL contradict each other: set one'],
    [{ STORE: 'embedded', REDIS_URL: 'redis://127.0.0.1:6379' }, 'STORE=embedded and REDIS_URL contradict each other: set one'],
  ])('%j is refused', (env, problem) => {
    expect(configError(env).problems).toEqual([problem]);
  });

  it('warns about a generated key per store: memory loses it on restart, Redis shares one; the embedded store names its file itself', () => {
    expect(loadConfig({ STORE: 'memory' }).warnings.join('\n')).toMatch(/generated at start; ID tokens and phone sign-ins stop working/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).warnings.join('\n')).toMatch(/generated signing key kept in Redis/);
    expect(loadConfig({}).warnings.join('\n')).not.toMatch(/SIGNING_KEY/);
  });
});

test('USER_TOKEN_ISSUER equal to ISSUER is refused: qrlogin would accept its own ID tokens as phone tokens', () => {
  for (const issuer of ['https://login.example.com', 'https://login.example.com/']) {
    expect(configError({ ISSUER: 'https://login.example.com', USER_TOKEN_ISSUER: issuer, USER_TOKEN_AUDIENCE: 'api' }).problems).toEqual([
      'USER_TOKEN_ISSUER must not be ISSUER: qrlogin’s own ID tokens would then pass for phone tokens',
    ]);
  }
});
