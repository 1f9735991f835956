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

/** A topic does not exist and `autoCreateTopics` is off. */
export class TopicNotFoundError extends ChangeStreamBrokerError {
  constructor(readonly topic: string) {
    super(
      BrokerErrorCode.TopicNotFound,
      `Topic "${topic}" does not exist. Create it with ` +
        'broker.createTopic() or set autoCreateTopics: true.',
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

/** An explicit partition number is not one of the topic's partitions. */
export class InvalidPartitionError extends ChangeStreamBrokerError {
  constructor(
    readonly topic: string,
    readonly partition: unknown,
    readonly partitions: number,
  ) {
    super(
      BrokerErrorCode.InvalidPartition,
      `Invalid partition ${String(partition)} for topic "${topic}": ` +
        `expected an integer from 0 to ${partitions - 1}.`,
    );
  }
}
