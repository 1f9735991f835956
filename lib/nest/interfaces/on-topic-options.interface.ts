import type { ConsumerConfig } from '../../core/consumer/consumer-config';
import type { MessageHandlerConfig } from '../../core/consumer/message-handler';

/**
 * Consumer and handler settings of an `@OnTopic` subscription: every
 * {@link ConsumerConfig} field but `topic`, and every
 * {@link MessageHandlerConfig} field but the handler functions.
 */
export interface OnTopicConsumerOptions
  extends
    Omit<ConsumerConfig, 'groupId' | 'topic'>,
    Omit<MessageHandlerConfig, 'handler' | 'errorHandler'> {}

/** Options of `@OnTopic(topic, options)`. */
export interface OnTopicOptions extends OnTopicConsumerOptions {
  /**
   * Consumer group of this subscription. Instances of one app that share
   * it split the topic's partitions; every other group gets every message.
   * @default the `groupId` given to `ChangeStreamModule.forRoot()`
   */
  groupId?: string;
}
