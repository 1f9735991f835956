import type { ChangeStreamBrokerConfig } from '../../core/config/broker-config';
import type { OnTopicConsumerOptions } from './on-topic-options.interface';

/** Options of `ChangeStreamModule.forRoot()` and `forRootAsync()`. */
export interface ChangeStreamModuleOptions extends ChangeStreamBrokerConfig {
  /**
   * Consumer group of every `@OnTopic` handler that does not name one.
   * Bootstrap fails when a handler has no group from either place.
   */
  groupId?: string;
  /**
   * Settings applied to every `@OnTopic` consumer; the decorator's own
   * options override them field by field.
   */
  consumerDefaults?: OnTopicConsumerOptions;
}
