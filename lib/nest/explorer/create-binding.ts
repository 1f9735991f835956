import type { ConsumerConfig } from '../../core/consumer/consumer-config';
import type { MessageHandlerConfig } from '../../core/consumer/message-handler';
import { ConfigurationError } from '../../core/errors/config-errors';
import { createTopicHandler } from '../consumers/topic-handler';
import type { TopicConsumerBinding } from '../consumers/topic-consumer-binding';
import type { OnTopicMetadata } from '../decorators/on-topic.decorator';
import type { ChangeStreamModuleOptions } from '../interfaces/change-stream-module-options.interface';
import type { OnTopicConsumerOptions } from '../interfaces/on-topic-options.interface';

/** Location of an `@OnTopic` method: its instance, class and name. */
export interface HandlerLocation {
  instance: object;
  className: string;
  methodName: string;
}

/**
 * Builds the consumer and handler settings of one `@OnTopic` subscription.
 * The decorator's options override the module's `consumerDefaults`, and
 * the group comes from the decorator or else from the module.
 */
export function createBinding(
  location: HandlerLocation,
  subscription: OnTopicMetadata,
  moduleOptions: ChangeStreamModuleOptions,
): TopicConsumerBinding {
  const name = `${location.className}#${location.methodName}`;
  const { groupId: ownGroupId, ...ownOptions } = subscription.options;
  const groupId = ownGroupId ?? moduleOptions.groupId;
  if (groupId === undefined) {
    throw new ConfigurationError(
      `Missing groupId for @OnTopic("${subscription.topic}") on ${name}: ` +
        'pass { groupId } to @OnTopic or set groupId in ' +
        'ChangeStreamModule.forRoot().',
    );
  }

  const options: OnTopicConsumerOptions = {
    ...moduleOptions.consumerDefaults,
    ...ownOptions,
  };
  const {
    maxRetries,
    retryDelay,
    maxRetryDelay,
    deadLetterTopic,
    onFailure,
    transactional,
    ...consumerOptions
  } = options;
  const consumerConfig: ConsumerConfig = {
    ...consumerOptions,
    groupId,
    topic: subscription.topic,
  };
  const handlerConfig: MessageHandlerConfig = {
    handler: createTopicHandler(location.instance, location.methodName, name),
    maxRetries,
    retryDelay,
    maxRetryDelay,
    autoCommit: options.autoCommit,
    deadLetterTopic,
    onFailure,
    transactional,
  };
  return { name, consumerConfig, handlerConfig };
}
