import { BSON, ObjectId } from 'mongodb';
import { InvalidMessageError, MessageTooLargeError } from '../errors';
import type { ProducerMessage, TopicMessageDocument } from './message-types';
import { validatePartition } from '../topics/partition-number';
import { partitionForKey, RoundRobinPartitioner } from './partitioner';
import { validateMessageValue } from './value-check';

/** What {@link buildMessageDocument} needs to know about the topic. */
export interface MessageTarget {
  topic: string;
  partitions: number;
  maxMessageBytes: number;
  roundRobin: RoundRobinPartitioner;
}

function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}

function validateHeaders(
  topic: string,
  headers: unknown,
): Record<string, string> {
  if (headers === undefined || headers === null) {
    return {};
  }
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new InvalidMessageError(
      `Invalid headers for topic "${topic}": expected an object of ` +
        `strings, got ${describeType(headers)}.`,
    );
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.includes('\0')) {
      throw new InvalidMessageError(
        `Invalid header name ${JSON.stringify(name)} for topic "${topic}": ` +
          'BSON field names cannot contain a null character. Remove it.',
      );
    }
    if (typeof value !== 'string') {
      throw new InvalidMessageError(
        `Invalid header "${name}" for topic "${topic}": expected a ` +
          `string, got ${describeType(value)}. Convert it with String().`,
      );
    }
  }
  return headers as Record<string, string>;
}

function choosePartition(
  target: MessageTarget,
  message: ProducerMessage,
  key: string | null,
): number {
  if (message.partition !== undefined) {
    return validatePartition(
      target.topic,
      message.partition,
      target.partitions,
    );
  }
  return key === null
    ? target.roundRobin.next(target.partitions)
    : partitionForKey(key, target.partitions);
}

function measure(topic: string, document: TopicMessageDocument): number {
  try {
    // The driver writes undefined fields as null by default, but BSON's
    // own default skips them.
    return BSON.calculateObjectSize(document, { ignoreUndefined: false });
  } catch (error) {
    // After validateMessageValue, this mainly catches BSON values created
    // by another major version of the bson package.
    throw new InvalidMessageError(
      `Invalid value for topic "${topic}": it cannot be stored as BSON ` +
        `(${(error as Error).message}). Send plain data, and BSON types ` +
        'from the mongodb package the broker uses.',
      error,
    );
  }
}

/**
 * Validates one message and returns the document to insert. Throws
 * {@link InvalidMessageError}, {@link InvalidPartitionError} or
 * {@link MessageTooLargeError}; nothing is written in that case.
 */
export function buildMessageDocument<T>(
  target: MessageTarget,
  message: ProducerMessage<T>,
  timestamp: Date,
): TopicMessageDocument<T> {
  if (typeof message !== 'object' || message === null) {
    throw new InvalidMessageError(
      `Invalid message for topic "${target.topic}": expected an object ` +
        `{ key?, value, headers? }, got ${describeType(message)}.`,
    );
  }
  if (!('value' in message) || message.value === undefined) {
    throw new InvalidMessageError(
      `Invalid message for topic "${target.topic}": value is missing. ` +
        'Send { value } (null is allowed).',
    );
  }
  const key = message.key ?? null;
  if (key !== null && typeof key !== 'string') {
    throw new InvalidMessageError(
      `Invalid key for topic "${target.topic}": expected a string or ` +
        `null, got ${describeType(key)}. Convert it with String().`,
    );
  }
  validateMessageValue(target.topic, message.value);

  const document: TopicMessageDocument<T> = {
    _id: new ObjectId(),
    partition: choosePartition(target, message, key),
    key,
    value: message.value,
    headers: validateHeaders(target.topic, message.headers),
    timestamp,
  };
  const size = measure(target.topic, document as TopicMessageDocument);
  if (size > target.maxMessageBytes) {
    throw new MessageTooLargeError(target.topic, size, target.maxMessageBytes);
  }
  return document;
}
