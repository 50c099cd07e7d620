/**
 * @module
 * The process entry, and the only file with side effects: reads the environment, loads the
 * signing key, listens, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { hostname } from 'node:os';
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
  // Every line names the instance that wrote it: this host and the port it listens on.
  const logger = createLogger(config.logLevel, undefined, { instance: `${hostname()}:${config.port}`, format: config.logFormat });
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
  // The start, one line per fact (LOG_FORMAT=pretty shows them readably): where it listens
  // (the real port: PORT=0 picks a free one), where state lives, the demo pages.
  const address = app.httpServer.address();
  const listening = address !== null && typeof address === 'object' ? `${address.address}:${address.port}` : String(address);
  logger.info('qrlogin listening', { url: config.publicUrl, listening, issuer: config.issuer });
  logger.info(`store: ${STORE_LABELS[backend.name]}`, { store: backend.name, ...(backend.location ? { location: backend.location } : {}) });
  if (config.demoPages) logger.info('demo pages', { website: `${config.publicUrl}/`, phone: `${config.publicUrl}/mobile` });
  // Shown once, on purpose, so a developer can try server-side ticket exchange: the one line
  // that carries a credential (PROTOCOL §2).
  if (demoSecret) {
    logger.warnUnredacted('app "demo" secret generated, shown once: set QRLOGIN_DEMO_APP_SECRET to keep one', {
      appId: 'demo',
      demoAppSecret: demoSecret,
    });
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

main().catch((error: unknown) => {
  process.stderr.write(`qrlogin: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
