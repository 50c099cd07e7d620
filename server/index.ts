/**
 * @module
 * The process entry, and the only file with side effects: reads the environment, loads the
 * signing key, listens, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { join } from 'node:path';
import { createApp } from './app';
import { openBackend } from './backend';
import { type Config, ConfigError, loadConfig } from './config';
import { sha256 } from './domain/secrets';
import { createLogger } from './logger';

/** `config` with the demo app's secret replaced (the one instances sharing Redis agreed on). */
function withDemoSecret(config: Config, secret: string): Config {
  const apps = config.apps.map((app) => (app.id === 'demo' ? Object.freeze({ ...app, secretHash: sha256(secret) }) : app));
  return Object.freeze({ ...config, apps: Object.freeze(apps) });
}

const STORE_LABELS = {
  embedded: 'embedded, durable',
  memory: 'memory, lost on restart (STORE=memory)',
  redis: 'Redis, shared by every instance',
} as const;

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

  const backend = await openBackend(config, logger, Date.now);
  // Instances sharing Redis share the demo app's generated secret too (the first one's), or
  // half of a load-balanced demo's server-side exchanges would be refused.
  const demoSecret = generatedDemoAppSecret === null ? null : await backend.sharedDemoSecret(generatedDemoAppSecret);
  const app = createApp(demoSecret === null ? config : withDemoSecret(config, demoSecret), {
    logger,
    backend,
    publicDir: join(__dirname, '..', 'public'),
  });

  await new Promise<void>((resolve, reject) => {
    app.httpServer.once('error', reject);
    app.httpServer.listen(config.port, config.host, resolve);
  });
  logger.info('qrlogin listening', {
    url: config.publicUrl,
    address: app.httpServer.address(),
    store: backend.name,
    ...(backend.location ? { location: backend.location } : {}),
    issuer: config.issuer,
  });
  // The port it really listens on (PORT=0 picks a free one), beside the URL browsers are given.
  const address = app.httpServer.address();
  const listening = address !== null && typeof address === 'object' ? `${address.address}:${address.port}` : String(address);
  const banner = [
    `qrlogin is running at ${config.publicUrl} (listening on ${listening})`,
    `store: ${STORE_LABELS[backend.name]}${backend.location ? ` (${backend.location})` : ''}`,
  ];
  if (config.demoPages) banner.push(`demo website: ${config.publicUrl}/   phone page: ${config.publicUrl}/mobile`);
  // Shown once, on purpose, so a developer can try server-side ticket exchange.
  if (demoSecret) {
    banner.push(`app "demo" secret (generated, shown once; set QRLOGIN_DEMO_APP_SECRET to keep one): ${demoSecret}`);
  }
  if (config.logLevel !== 'silent') process.stdout.write(`\n${banner.map((line) => `  ${line}`).join('\n')}\n\n`);

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

main().catch((error: unknown) => {
  process.stderr.write(`qrlogin: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
