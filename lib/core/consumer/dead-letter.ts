import { BSON } from 'mongodb';
import type { ProducerMessage } from '../producer/message-types';
import type { ConsumerRecord } from './consumer-record';

/** Names of the headers a dead-lettered message carries. */
export const DeadLetterHeaders = {
  errorMessage: 'x-dlq-error-message',
  errorStack: 'x-dlq-error-stack',
  attempts: 'x-dlq-attempts',
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
  originalMessageId: 'x-dlq-original-message-id',
  originalTimestamp: 'x-dlq-original-timestamp',
  failedAt: 'x-dlq-failed-at',
  /** Set when the value was left out because the copy would be too large. */
  valueOmitted: 'x-dlq-value-omitted',
} as const;

/** Longest stack kept in a dead-letter header, in characters. */
const MAX_STACK_LENGTH = 4_000;
/** Stack frames kept in a dead-letter header. */
const MAX_STACK_LINES = 15;

/** Maximum length of the error message in a dead-letter header. */
const MAX_ERROR_MESSAGE_LENGTH = 4_000;

/** Returns the first lines of an error's stack, capped in length. */
export function trimStack(error: Error): string {
  // A handler may throw anything, with any type in `stack`.
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const lines = stack.split('\n').slice(0, MAX_STACK_LINES);
  return lines.join('\n').slice(0, MAX_STACK_LENGTH);
}

function trimMessage(value: unknown): string {
  const message = typeof value === 'string' ? value : String(value);
  if (message.length <= MAX_ERROR_MESSAGE_LENGTH) {
    return message;
  }
  // Cutting between the two halves of a surrogate pair would leave a half
  // that BSON stores as U+FFFD.
  const last = message.charCodeAt(MAX_ERROR_MESSAGE_LENGTH - 1);
  const end =
    last >= 0xd800 && last <= 0xdbff
      ? MAX_ERROR_MESSAGE_LENGTH - 1
      : MAX_ERROR_MESSAGE_LENGTH;
  return `${message.slice(0, end)}... (${message.length} characters in all)`;
}

/**
 * Returns `message` without its value, for a value that fits the topic on
 * its own but not with the failure headers. The original message stays in
 * its topic (within the topic's retention) under the original message id.
 */
export function withoutValue(
  message: ProducerMessage,
  reason: string,
): ProducerMessage {
  return {
    ...message,
    value: null,
    headers: { ...message.headers, [DeadLetterHeaders.valueOmitted]: reason },
  };
}

/**
 * Builds the message written to the dead-letter topic: the same key and
 * value, the original headers, and headers describing the failure.
 */
export function buildDeadLetterMessage(
  record: ConsumerRecord,
  error: Error,
  attempts: number,
): ProducerMessage {
  return {
    key: record.message.key,
    value: record.message.value,
    headers: {
      ...record.message.headers,
      [DeadLetterHeaders.errorMessage]: trimMessage(error.message),
      [DeadLetterHeaders.errorStack]: trimStack(error),
      [DeadLetterHeaders.attempts]: String(attempts),
      [DeadLetterHeaders.originalTopic]: record.topic,
      [DeadLetterHeaders.originalPartition]: String(record.partition),
      [DeadLetterHeaders.originalOffset]:
        record.offset === null
          ? 'replayed'
          : BSON.EJSON.stringify(record.offset, { relaxed: false }),
      [DeadLetterHeaders.originalMessageId]: record.message.id,
      [DeadLetterHeaders.originalTimestamp]: record.timestamp.toISOString(),
      [DeadLetterHeaders.failedAt]: new Date().toISOString(),
    },
  };
}
