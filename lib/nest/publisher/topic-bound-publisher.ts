import type {
  ProducerMessage,
  RecordMetadata,
  SendOptions,
} from '../../core/producer/message-types';
import type { TopicPublisher } from './topic-publisher';

/**
 * Publishes to one topic. `ChangeStreamModule.forFeature()` registers one
 * per topic; inject it with `@InjectPublisher(topic)`.
 */
export class TopicBoundPublisher<T = unknown> {
  constructor(
    /** Topic this publisher writes to. */
    readonly topic: string,
    private readonly publisher: TopicPublisher,
  ) {}

  /**
   * Writes one message or a batch. With `options.session` in a
   * transaction, the messages become visible only if it commits.
   */
  send(
    messages: ProducerMessage<T> | ProducerMessage<T>[],
    options?: SendOptions,
  ): Promise<RecordMetadata[]> {
    return this.publisher.send(this.topic, messages, options);
  }
}
