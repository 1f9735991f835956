import { ChangeStreamBrokerError } from './broker-error';
import { BrokerErrorCode } from './error-codes';

/** A topic name breaks the naming rules; nothing was created. */
export class InvalidTopicNameError extends ChangeStreamBrokerError {
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(
      BrokerErrorCode.InvalidTopicName,
      `Invalid topic name ${JSON.stringify(topic)}: ${reason}`,
    );
  }
}

/**
 * A topic does not exist and `autoCreateTopics` is off, or an admin
 * operation names a topic that does not exist.
 */
export class TopicNotFoundError extends ChangeStreamBrokerError {
  /** `advice` replaces the default next step of the message. */
  constructor(
    readonly topic: string,
    advice = 'Create it with broker.createTopic() or set ' +
      'autoCreateTopics: true.',
  ) {
    super(
      BrokerErrorCode.TopicNotFound,
      `Topic "${topic}" does not exist. ${advice}`,
    );
  }
}

/** A caller expects another partition count than the topic has. */
export class PartitionMismatchError extends ChangeStreamBrokerError {
  constructor(
    readonly topic: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      BrokerErrorCode.PartitionMismatch,
      `Topic "${topic}" has ${actual} partition(s) but ${expected} were ` +
        'requested. The count is fixed when a topic is created: use ' +
        `partitions: ${actual} or a new topic.`,
    );
  }
}

/** Formats a partition for a message, quoting strings so "0" is not read as 0. */
function describePartition(partition: unknown): string {
  return typeof partition === 'string'
    ? JSON.stringify(partition)
    : String(partition);
}

/** An explicit partition number is not one of the topic's partitions. */
export class InvalidPartitionError extends ChangeStreamBrokerError {
  constructor(
    readonly topic: string,
    readonly partition: unknown,
    readonly partitions: number,
  ) {
    super(
      BrokerErrorCode.InvalidPartition,
      `Invalid partition ${describePartition(partition)} ` +
        `for topic "${topic}": expected an integer from 0 to ${partitions - 1}.`,
    );
  }
}
