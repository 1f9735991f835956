import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ChangeStreamBroker } from '../../core/broker/change-stream-broker';
import { ConfigurationError } from '../../core/errors/config-errors';
import { CHANGE_STREAM_MODULE_LOG_CONTEXT } from '../change-stream.constants';
import { logConsumerEvents } from './consumer-event-logger';
import { ConsumerRegistry, RegisteredConsumer } from './consumer-registry';
import type { TopicConsumerBinding } from './topic-consumer-binding';

/**
 * Owns the consumers of `@OnTopic` handlers. It starts them once every
 * module is initialized, so `forFeature` topics exist. It stops them before
 * the application shuts down, and each one finishes its records in
 * progress, commits and leaves its group.
 */
@Injectable()
export class ConsumerOrchestrator
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(CHANGE_STREAM_MODULE_LOG_CONTEXT);
  private readonly bindings: TopicConsumerBinding[] = [];

  constructor(
    private readonly broker: ChangeStreamBroker,
    private readonly registry: ConsumerRegistry,
  ) {}

  /** Queues a handler. Its consumer starts when the application bootstraps. */
  bind(binding: TopicConsumerBinding): void {
    const { name } = binding;
    const { groupId, topic } = binding.consumerConfig;
    const duplicate = this.bindings.some(
      (other) =>
        other.name === name &&
        other.consumerConfig.groupId === groupId &&
        other.consumerConfig.topic === topic,
    );
    if (duplicate) {
      throw new ConfigurationError(
        `${name} subscribes to topic "${topic}" in group "${groupId}" ` +
          'twice. Remove one of the @OnTopic decorators.',
      );
    }
    this.bindings.push(binding);
  }

  async onApplicationBootstrap(): Promise<void> {
    // One at a time, so the start-up log reads in declaration order and a
    // failure stops the ones already started.
    for (const binding of this.bindings) {
      try {
        await this.start(binding);
      } catch (error) {
        await this.stopAll();
        throw error;
      }
    }
    if (this.bindings.length > 0) {
      this.logger.log(
        `Started ${this.bindings.length} @OnTopic consumer(s) on database ` +
          `"${this.broker.database}"`,
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }

  private async start(binding: TopicConsumerBinding): Promise<void> {
    const { name, consumerConfig } = binding;
    try {
      const consumer = await this.broker.createConsumer(consumerConfig);
      logConsumerEvents(consumer, name);
      this.registry.add({
        name,
        groupId: consumerConfig.groupId,
        topic: consumerConfig.topic,
        consumer,
      });
      await consumer.subscribe(binding.handlerConfig);
    } catch (error) {
      this.logger.error(
        `Failed to start the consumer of ${name} on topic ` +
          `"${consumerConfig.topic}" in group "${consumerConfig.groupId}"`,
        (error as Error).stack,
      );
      throw error;
    }
  }

  private async stopAll(): Promise<void> {
    const entries = this.registry.getConsumers();
    await Promise.all(entries.map((entry) => this.stop(entry)));
  }

  private async stop(entry: RegisteredConsumer): Promise<void> {
    try {
      await entry.consumer.disconnect();
    } catch (error) {
      this.logger.error(
        `Failed to stop the consumer of ${entry.name} on topic ` +
          `"${entry.topic}" in group "${entry.groupId}"`,
        (error as Error).stack,
      );
    } finally {
      this.registry.remove(entry);
    }
  }
}
