import { Inject } from '@nestjs/common';
import { getTopicPublisherToken } from '../change-stream.tokens';

/**
 * Injects the `TopicBoundPublisher` of a topic registered with
 * `ChangeStreamModule.forFeature({ topics: [topic] })`.
 */
export const InjectPublisher = (
  topic: string,
): PropertyDecorator & ParameterDecorator =>
  Inject(getTopicPublisherToken(topic));
