import type { FactoryProvider } from '@nestjs/common';
import type { MongoClient } from 'mongodb';
import { ChangeStreamBroker } from '../../core/broker/change-stream-broker';
import type { ChangeStreamBrokerConfig } from '../../core/config/broker-config';
import { CHANGE_STREAM_MODULE_OPTIONS } from '../change-stream.module-definition';
import { CHANGE_STREAM_MONGO_CLIENT } from '../change-stream.tokens';
import type { ChangeStreamModuleOptions } from '../interfaces/change-stream-module-options.interface';
import { NestBrokerLogger } from '../logging/nest-broker-logger';

/**
 * Strips the module-level settings and, unless the caller passed a logger,
 * routes the core's lines through Nest's `Logger`.
 */
export function toBrokerConfig(
  options: ChangeStreamModuleOptions,
): ChangeStreamBrokerConfig {
  const {
    groupId: _groupId,
    consumerDefaults: _consumerDefaults,
    ...brokerConfig
  } = options;
  return {
    ...brokerConfig,
    logger: options.logger ?? new NestBrokerLogger(options.logLevel),
  };
}

/**
 * The broker, connected before any provider that depends on it is created,
 * so `forFeature` topics and publishers can use it at once.
 */
export const changeStreamBrokerProvider: FactoryProvider<
  Promise<ChangeStreamBroker>
> = {
  provide: ChangeStreamBroker,
  useFactory: async (options: ChangeStreamModuleOptions) => {
    const broker = new ChangeStreamBroker(toBrokerConfig(options));
    await broker.connect();
    return broker;
  },
  inject: [CHANGE_STREAM_MODULE_OPTIONS],
};

/** The broker's `MongoClient`, for the application's own data. */
export const mongoClientProvider: FactoryProvider<MongoClient> = {
  provide: CHANGE_STREAM_MONGO_CLIENT,
  useFactory: (broker: ChangeStreamBroker) => broker.getClient(),
  inject: [ChangeStreamBroker],
};
