/**
 * @module
 * The process entry, and the only file with side effects: reads the environment, loads the
 * signing key, listens, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { join } from 'node:path';
import { createApp } from './app';
import { loadSigningKey } from './auth/keys';
import { createMemoryBackend } from './backend/memory';
import { createRedisBackend, describe } from './backend/redis';
import type { Backend } from './backend/types';
import { type Config, ConfigError, loadConfig } from './config';
import type { Logger } from './logger';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`qrlogin: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings, generatedDemoAppSecret } = loaded;
  const logger = createLogger(config.logLevel);
  for (const warning of warnings) logger.warn(`WARNING: ${warning}`);

  const backend = await createBackend(config, logger);
  const app = createApp(config, { logger, backend, publicDir: join(__dirname, '..', 'public') });

  await new Promise<void>((resolve, reject) => {
    app.httpServer.once('error', reject);
    app.httpServer.listen(config.port, config.host, resolve);
  });
  logger.info('qrlogin listening', {
    url: config.publicUrl,
    store: backend.name,
    ...(config.redisUrl ? { redis: describe(config.redisUrl) } : {}),
    issuer: config.issuer,
  });
  if (generatedDemoAppSecret) {
    // Shown once, on purpose, so a developer can try server-side ticket exchange.
    process.stdout.write(
      `\n  qrlogin is running at ${config.publicUrl}\n  demo website: ${config.publicUrl}/   phone page: ${config.publicUrl}/mobile\n` +
        `  app "demo" secret (generated, shown once; set QRLOGIN_DEMO_APP_SECRET to keep one): ${generatedDemoAppSecret}\n\n`,
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const deadline = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1000);
    deadline.unref();
    const started = Date.now();
    app.close().then(
      () => {
        logger.info('shut down', { ms: Date.now() - started });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error }));
}

/** Memory (one instance) by default; Redis (any number of instances) with `REDIS_URL`. */
async function createBackend(config: Config, logger: Logger): Promise<Backend> {
  const configured = config.signingKey === null ? null : await loadSigningKey(config.signingKey);
  if (!config.redisUrl) return createMemoryBackend(Date.now, configured ?? undefined);
  return createRedisBackend({
    url: config.redisUrl,
    prefix: config.redisKeyPrefix,
    signingKey: configured,
    // Old public keys stay in the JWKS while any token they signed can be valid.
    keyRetainMs: Math.max(config.idTokenTtlSeconds, config.userTokenTtlSeconds) * 1000 + 60_000,
    logger,
    now: Date.now,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`qrlogin: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
