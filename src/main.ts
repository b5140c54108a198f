import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfigFromProcess } from './config/app-config';
import { DatabaseUnavailableAtStartup, waitForDatabase } from './database/database-startup';
import { createRootLogger } from './observability/logger';

async function bootstrap(): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfigFromProcess();
  // Before Nest starts (and buffers its logs): a database starting alongside is waited for, with a log line per attempt.
  await waitForDatabase(config.database, createRootLogger(config));
  const app = await createApp(config);
  const logger = new Logger('Main');
  if (config.auth.jwtSecretIsEphemeral) {
    logger.warn('JWT_SECRET is not set: using a random one, so tokens stop working when the process restarts');
  }
  await app.listen({ port: config.http.port, host: config.http.host });
  logger.log(
    { event: 'ready', startupMs: Math.round(performance.now() - startedAt), url: await app.getUrl() },
    `Emporium ready at ${await app.getUrl()}${config.http.docsEnabled ? ' (docs at /docs)' : ''}`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ event: 'shutdown', signal }, 'draining in-flight requests');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseUnavailableAtStartup) {
    console.error(error.message);
  } else {
    console.error('Emporium failed to start:', error);
  }
  process.exit(1);
});
