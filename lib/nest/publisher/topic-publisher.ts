import { Injectable } from '@nestjs/common';
import { ChangeStreamBroker } from '../../core/broker/change-stream-broker';
import type {
  ProducerMessage,
  RecordMetadata,
  SendOptions,
} from '../../core/producer/message-types';
import type { ChangeStreamProducer } from '../../core/producer/producer';

/**
 * Publishes to any topic through the module's broker, with one cached
 * producer per topic.
 *
 * ```ts
 * await client.withSession((session) =>
 *   session.withTransaction(async () => {
 *     await purchases.insertOne(purchase, { session });
 *     await publisher.send('purchases', { key, value }, { session });
 *   }),
 * );
 * ```
 */
@Injectable()
export class TopicPublisher {
  private readonly producers = new Map<string, Promise<ChangeStreamProducer>>();

  constructor(private readonly broker: ChangeStreamBroker) {}

  /**
   * Writes one message or a batch to `topic`, creating the topic when it
   * is missing and the broker's `autoCreateTopics` allows it. With
   * `options.session` in a transaction, the messages become visible to
   * consumers only if that transaction commits.
   */
  async send<T>(
    topic: string,
    messages: ProducerMessage<T> | ProducerMessage<T>[],
    options?: SendOptions,
  ): Promise<RecordMetadata[]> {
    const producer = await this.producerFor(topic);
    return producer.send(messages, options);
  }

  private producerFor(topic: string): Promise<ChangeStreamProducer> {
    let producer = this.producers.get(topic);
    if (!producer) {
      producer = this.broker.createProducer({ topic });
      // A failed creation (missing topic, lost connection) is not cached,
      // so the next send tries again.
      producer.catch(() => this.producers.delete(topic));
      this.producers.set(topic, producer);
    }
    return producer;
  }
}
