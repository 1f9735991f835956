import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChangeStreamBroker } from '../core/broker/change-stream-broker';
import { BrokerShutdown } from './broker/broker-shutdown';
import {
  changeStreamBrokerProvider,
  mongoClientProvider,
} from './broker/change-stream-broker.providers';
import { ChangeStreamFeatureModule } from './change-stream-feature.module';
import { ConfigurableChangeStreamModule } from './change-stream.module-definition';
import { CHANGE_STREAM_MONGO_CLIENT } from './change-stream.tokens';
import { ConsumerOrchestrator } from './consumers/consumer-orchestrator';
import { ConsumerRegistry } from './consumers/consumer-registry';
import { OnTopicMetadataAccessor } from './explorer/on-topic-metadata.accessor';
import { OnTopicExplorer } from './explorer/on-topic.explorer';
import type { ChangeStreamFeatureOptions } from './interfaces/change-stream-feature-options.interface';
import { TopicPublisher } from './publisher/topic-publisher';

/**
 * NestJS module of the broker. Import `ChangeStreamModule.forRoot()` (or
 * `forRootAsync()`) once: it is global and provides the connected
 * {@link ChangeStreamBroker}, its `MongoClient`, {@link TopicPublisher} and
 * {@link ConsumerRegistry}, and runs every `@OnTopic` handler. Import
 * `forFeature()` where a module needs publishers bound to topics.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    changeStreamBrokerProvider,
    mongoClientProvider,
    BrokerShutdown,
    TopicPublisher,
    ConsumerRegistry,
    ConsumerOrchestrator,
    OnTopicMetadataAccessor,
    OnTopicExplorer,
  ],
  exports: [
    ChangeStreamBroker,
    CHANGE_STREAM_MONGO_CLIENT,
    TopicPublisher,
    ConsumerRegistry,
  ],
})
export class ChangeStreamModule extends ConfigurableChangeStreamModule {
  /**
   * Creates the given topics when missing and registers a
   * `TopicBoundPublisher` for each, injectable with
   * `@InjectPublisher(name)`.
   */
  static forFeature(options: ChangeStreamFeatureOptions): DynamicModule {
    return ChangeStreamFeatureModule.register(options);
  }
}
