import type { ConsumerConfig } from '../../core/consumer/consumer-config';
import type { MessageHandlerConfig } from '../../core/consumer/message-handler';

/** An `@OnTopic` method bound to its provider, ready to be consumed. */
export interface TopicConsumerBinding {
  /** `Class#method` of the handler, also the log context of its consumer. */
  name: string;
  /** Settings of `broker.createConsumer()`, group and topic included. */
  consumerConfig: ConsumerConfig;
  /** Settings of `consumer.subscribe()`, with the bound handler. */
  handlerConfig: MessageHandlerConfig;
}
