import {
  Module,
  type DynamicModule,
  type FactoryProvider,
} from '@nestjs/common';
import { ChangeStreamBroker } from '../core/broker/change-stream-broker';
import { ConfigurationError } from '../core/errors/config-errors';
import type { TopicConfig } from '../core/topics/topic-metadata';
import { getTopicPublisherToken } from './change-stream.tokens';
import type { ChangeStreamFeatureOptions } from './interfaces/change-stream-feature-options.interface';
import { TopicBoundPublisher } from './publisher/topic-bound-publisher';
import { TopicPublisher } from './publisher/topic-publisher';

function toTopicConfig(topic: string | TopicConfig): TopicConfig {
  return typeof topic === 'string' ? { name: topic } : topic;
}

/**
 * Creates the topic (or checks that the existing one has the same
 * partition count) before the publisher is handed out.
 */
function createPublisherProvider(
  config: TopicConfig,
): FactoryProvider<Promise<TopicBoundPublisher>> {
  return {
    provide: getTopicPublisherToken(config.name),
    useFactory: async (
      broker: ChangeStreamBroker,
      publisher: TopicPublisher,
    ) => {
      await broker.createTopic(config);
      return new TopicBoundPublisher(config.name, publisher);
    },
    inject: [ChangeStreamBroker, TopicPublisher],
  };
}

/** Holds the topics and publishers of one `forFeature()` call. */
@Module({})
export class ChangeStreamFeatureModule {
  /** Builds the module that `ChangeStreamModule.forFeature()` returns. */
  static register(options: ChangeStreamFeatureOptions): DynamicModule {
    if (!Array.isArray(options?.topics) || options.topics.length === 0) {
      throw new ConfigurationError(
        'Invalid ChangeStreamModule.forFeature() options: expected ' +
          "{ topics: ['name' | { name, partitions?, retentionMs? }, ...] } " +
          'with at least one topic.',
      );
    }
    const providers = options.topics
      .map(toTopicConfig)
      .map(createPublisherProvider);
    return {
      module: ChangeStreamFeatureModule,
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }
}
