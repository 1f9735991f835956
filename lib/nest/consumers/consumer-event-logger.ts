import { Logger } from '@nestjs/common';
import type { ChangeStreamConsumer } from '../../core/consumer/consumer';
import { appendLogFields } from '../logging/log-fields';

/**
 * Logs a consumer's lifecycle events through Nest's `Logger` under
 * `context` (the handler's `Class#method`). Offset commits are logged at
 * debug level because they happen every few seconds.
 */
export function logConsumerEvents(
  consumer: ChangeStreamConsumer,
  context: string,
): void {
  const logger = new Logger(context);

  consumer.on('consumer.joined', (source) => {
    logger.log(appendLogFields('Joined the consumer group', { ...source }));
  });
  consumer.on('consumer.partitions.assigned', (source, partitions) => {
    logger.log(
      appendLogFields('Partitions assigned', { ...source, partitions }),
    );
  });
  consumer.on('consumer.partitions.revoked', (source, partitions) => {
    logger.log(
      appendLogFields('Partitions revoked', { ...source, partitions }),
    );
  });
  consumer.on('consumer.partitions.lost', (source, partitions, reason) => {
    logger.warn(
      appendLogFields('Partitions lost', { ...source, partitions, reason }),
    );
  });
  consumer.on('consumer.partition.stopped', (source, partition, reason) => {
    logger.error(
      appendLogFields('Partition stopped', { ...source, partition, reason }),
    );
  });
  consumer.on('consumer.offsets.committed', (source, partitions) => {
    logger.debug(
      appendLogFields('Offsets committed', { ...source, partitions }),
    );
  });
  consumer.on('consumer.topic.invalidated', (source, operation) => {
    logger.warn(
      appendLogFields('Topic collection invalidated', {
        ...source,
        operation,
      }),
    );
  });
  consumer.on('consumer.error', (source, error) => {
    logger.error(
      appendLogFields('Consumer error', { ...source, error }),
      error.stack,
    );
  });
  consumer.on('consumer.left', (source) => {
    logger.log(appendLogFields('Left the consumer group', { ...source }));
  });
}
