import { MongoServerError, type TransactionOptions } from 'mongodb';
import {
  ChangeStreamBrokerError,
  MessageTooLargeError,
  OffsetFencedError,
} from '../errors';
import type { BrokerLogger } from '../logging/broker-logger';
import type { ChangeStreamProducer } from '../producer/producer';
import { backoffDelay } from '../util/backoff';
import { delay } from '../util/delay';
import type { ConsumerRecord } from './consumer-record';
import { buildDeadLetterMessage, withoutValue } from './dead-letter';
import type {
  ErrorHandler,
  FailurePolicy,
  MessageHandler,
} from './message-handler';
import type { OffsetCommitter } from './offset-committer';
import type { PartitionSessions } from './partition-sessions';
import type { DispatchItem, ProcessOutcome } from './partition-dispatcher';
import { runOffsetTransaction } from './transaction-runner';

/** Options of a {@link RecordProcessor}. */
export interface RecordProcessorOptions {
  handler: MessageHandler;
  errorHandler?: ErrorHandler;
  maxRetries: number;
  retryDelay: number;
  maxRetryDelay: number;
  onFailure: FailurePolicy;
  /** Producer of the dead-letter topic; undefined when dead-lettering is off. */
  deadLetter?: ChangeStreamProducer;
  /** Transaction options when the handler is transactional. */
  transaction?: TransactionOptions;
  /** Sessions of transactional handlers, one per partition. */
  sessions: PartitionSessions;
  committer: OffsetCommitter;
  logger: BrokerLogger;
  /** Retry delay of dead-letter writes that fail. */
  deadLetterRetryDelayMs: number;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Server errors about the document itself: writing the same document again
 * fails the same way until someone changes the collection's rules.
 */
const PERMANENT_WRITE_CODES = new Set([
  2, // BadValue
  121, // DocumentValidationFailure
  10334, // BSONObjectTooLarge
]);

/** Tells whether writing the same dead letter again cannot succeed. */
function isPermanentWriteError(error: unknown): boolean {
  if (error instanceof ChangeStreamBrokerError) {
    return !error.retriable;
  }
  return (
    error instanceof MongoServerError &&
    typeof error.code === 'number' &&
    PERMANENT_WRITE_CODES.has(error.code)
  );
}

function recordFields(record: ConsumerRecord): Record<string, unknown> {
  return { partition: record.partition, messageId: record.message.id };
}

/**
 * Runs a handler on one record: retries with exponential backoff and
 * jitter, then dead-letters the record (or stops the partition), and
 * reports the outcome. In transactional mode each attempt is a transaction
 * that also commits the offset.
 */
export class RecordProcessor {
  constructor(private readonly options: RecordProcessorOptions) {}

  /** Processes one record; see {@link ProcessOutcome}. */
  readonly process = async (
    item: DispatchItem,
    signal: AbortSignal,
    runInSlot: <T>(work: () => Promise<T>) => Promise<T>,
  ): Promise<ProcessOutcome> => {
    const { record } = item;
    const attempts = this.options.maxRetries + 1;
    let lastError: Error | undefined;

    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (signal.aborted) {
        return this.abandon(record, attempt - 1);
      }
      try {
        await runInSlot(() => this.attempt(item, attempt, signal));
        return 'processed';
      } catch (error) {
        if (error instanceof OffsetFencedError) {
          this.options.logger.warn(
            'Offset commit fenced: another member owns the partition now',
            recordFields(record),
          );
          return 'fenced';
        }
        lastError = asError(error);
      }
      if (signal.aborted) {
        // The failure most likely came from the revocation itself, such as a
        // session ended under the handler, so it is not the handler's to retry.
        return this.abandon(record, attempt);
      }
      if (attempt < attempts) {
        const wait = backoffDelay(attempt, {
          initialDelayMs: this.options.retryDelay,
          maxDelayMs: this.options.maxRetryDelay,
        });
        this.options.logger.warn('Handler failed; retrying', {
          ...recordFields(record),
          attempt,
          of: attempts,
          retryInMs: wait,
          error: lastError,
        });
        await delay(wait, signal);
      }
    }
    if (signal.aborted || !lastError) {
      return this.abandon(record, attempts);
    }
    return this.fail(item, lastError, attempts, signal);
  };

  /**
   * Gives a record up because its partition left this member. The next
   * owner processes it from the last committed offset.
   */
  private abandon(record: ConsumerRecord, attempts: number): 'abandoned' {
    if (attempts > 0) {
      this.options.logger.info(
        'Record abandoned: the partition is no longer owned here',
        { ...recordFields(record), attempts },
      );
    }
    return 'abandoned';
  }

  private async attempt(
    item: DispatchItem,
    attempt: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { record, ticket } = item;
    if (!this.options.transaction) {
      await this.options.handler(record, { attempt, signal });
      ticket.finish();
      return;
    }
    await this.inTransaction(
      item,
      (session) => this.options.handler(record, { attempt, signal, session }),
      signal,
    );
  }

  private async inTransaction(
    item: DispatchItem,
    work: (session: import('mongodb').ClientSession) => Promise<void> | void,
    signal: AbortSignal,
  ): Promise<void> {
    const { committer } = this.options;
    const { ticket } = item;
    const session = await this.options.sessions.sessionFor(ticket.partition);
    return runOffsetTransaction(
      session,
      this.options.transaction!,
      {
        work: async (session) => {
          await work(session);
        },
        commitOffset: async (session) => {
          const release = await committer.lock(ticket.partition);
          try {
            const key = await committer.commitInTransaction(ticket, session);
            return { release, key };
          } catch (error) {
            release();
            throw error;
          }
        },
        onCommitted: (key) => {
          ticket.finish();
          if (key !== undefined) {
            committer.markCommitted(ticket.partition, key);
          }
        },
        isStored: (key) => committer.isStored(ticket.partition, key),
        onTransientRetry: (retry, waitMs, error) => {
          this.options.logger.debug(
            'Transaction failed with a transient error; running it again',
            { ...recordFields(item.record), retry, retryInMs: waitMs, error },
          );
        },
      },
      signal,
    );
  }

  private async fail(
    item: DispatchItem,
    error: Error,
    attempts: number,
    signal: AbortSignal,
  ): Promise<ProcessOutcome> {
    const { record, ticket } = item;
    const { logger, onFailure, deadLetter } = this.options;
    logger.error('Handler failed on every attempt', {
      ...recordFields(record),
      attempts,
      policy: onFailure,
      error,
    });

    if (onFailure === 'stop') {
      await this.callErrorHandler(error, record);
      logger.error('Stopped the partition at the failed record', {
        ...recordFields(record),
      });
      return 'stopped';
    }

    let outcome: ProcessOutcome = 'dropped';
    if (deadLetter) {
      const published = await this.publishDeadLetter(
        item,
        error,
        attempts,
        signal,
      );
      if (published === 'abandoned' || published === 'fenced') {
        return published;
      }
      if (published === 'unwritable') {
        // Nothing is committed, so the record stays where it was until an
        // operator fixes the cause or skips it with a seek.
        await this.callErrorHandler(error, record);
        logger.error('Stopped the partition at the failed record', {
          ...recordFields(record),
        });
        return 'stopped';
      }
      outcome = 'dead-lettered';
    } else {
      ticket.finish();
      logger.error('Dropped the record: dead-lettering is disabled', {
        ...recordFields(record),
      });
    }
    await this.callErrorHandler(error, record);
    return outcome;
  }

  private async publishDeadLetter(
    item: DispatchItem,
    error: Error,
    attempts: number,
    signal: AbortSignal,
  ): Promise<'published' | 'abandoned' | 'fenced' | 'unwritable'> {
    const deadLetter = this.options.deadLetter!;
    let message = buildDeadLetterMessage(item.record, error, attempts);
    for (let retry = 1; ; retry += 1) {
      if (signal.aborted) {
        return 'abandoned';
      }
      try {
        if (this.options.transaction) {
          await this.inTransaction(
            item,
            async (session) => {
              await deadLetter.send(message, { session });
            },
            signal,
          );
        } else {
          await deadLetter.send(message);
          item.ticket.finish();
        }
        this.options.logger.warn('Sent the record to the dead-letter topic', {
          ...recordFields(item.record),
          deadLetterTopic: deadLetter.getTopic(),
        });
        return 'published';
      } catch (publishError) {
        if (publishError instanceof OffsetFencedError) {
          return 'fenced';
        }
        if (
          publishError instanceof MessageTooLargeError &&
          message.value !== null
        ) {
          this.options.logger.warn(
            'Dead-letter copy too large with its failure headers; ' +
              'sending it without the value',
            {
              ...recordFields(item.record),
              sizeBytes: publishError.sizeBytes,
              limitBytes: publishError.limitBytes,
            },
          );
          message = withoutValue(
            message,
            `${publishError.sizeBytes} bytes with the value, over the ` +
              `limit of ${publishError.limitBytes}. The value is in the ` +
              'original topic under the original message id',
          );
          continue;
        }
        if (isPermanentWriteError(publishError)) {
          this.options.logger.error(
            'Failed to write to the dead-letter topic, and retrying cannot ' +
              'help; stopping the partition',
            { ...recordFields(item.record), error: publishError },
          );
          return 'unwritable';
        }
        const wait = backoffDelay(retry, {
          initialDelayMs: this.options.deadLetterRetryDelayMs,
          maxDelayMs: this.options.maxRetryDelay,
        });
        this.options.logger.error(
          'Failed to write to the dead-letter topic; retrying',
          {
            ...recordFields(item.record),
            attempt: retry,
            retryInMs: wait,
            error: publishError,
          },
        );
        await delay(wait, signal);
      }
    }
  }

  private async callErrorHandler(
    error: Error,
    record: ConsumerRecord,
  ): Promise<void> {
    if (!this.options.errorHandler) {
      return;
    }
    try {
      await this.options.errorHandler(error, record);
    } catch (handlerError) {
      this.options.logger.error('errorHandler threw; ignoring', {
        ...recordFields(record),
        error: handlerError,
      });
    }
  }
}
