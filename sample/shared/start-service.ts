import { Logger, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { maskConnectionString } from '../../lib';
import type { ServiceEnvironment } from './service-environment';

/**
 * Starts a sample service: creates the Nest application, makes SIGINT and
 * SIGTERM shut it down gracefully (consumers leave their group, the broker
 * disconnects) and listens on 127.0.0.1. A failed start is logged and ends
 * the process with exit code 1.
 */
export async function startService(
  module: DynamicModule,
  environment: ServiceEnvironment,
): Promise<void> {
  const logger = new Logger(environment.service);
  try {
    await listen(module, environment, logger);
  } catch (error) {
    logger.error('Failed to start', (error as Error).stack);
    // The broker may hold open connections; they must not keep the
    // process alive.
    process.exit(1);
  }
}

async function listen(
  module: DynamicModule,
  environment: ServiceEnvironment,
  logger: Logger,
): Promise<void> {
  logger.log(
    `Starting with MONGO_URL=${maskConnectionString(environment.mongoUrl)}, ` +
      `broker database "${environment.brokerDatabase}" and own database ` +
      `"${environment.database}"`,
  );

  // Without abortOnError: false, Nest aborts the process (SIGABRT) on a
  // failed start instead of rejecting.
  const app = await NestFactory.create(module, {
    abortOnError: false,
    logger: environment.logLevels,
  });
  app.enableShutdownHooks();
  await app.listen(environment.port, '127.0.0.1');

  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.log(`Listening on http://127.0.0.1:${port}`);
}
