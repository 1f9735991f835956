import type { ClientSession, TransactionOptions } from 'mongodb';
import type { ConsumerRecord } from './consumer-record';

/** Extra information a handler receives with each record. */
export interface HandlerContext {
  /**
   * Session of the transaction the handler runs in. Set only for
   * transactional handlers: pass it to every MongoDB call that must commit
   * together with the offset.
   */
  session?: ClientSession;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
  /** Aborted when the partition is revoked or the consumer stops. */
  signal: AbortSignal;
}

/** Processes one record. A rejected promise (or a throw) is a failure. */
export interface MessageHandler<T = unknown> {
  (record: ConsumerRecord<T>, context: HandlerContext): Promise<void> | void;
}

/** Called once a record failed its last attempt. */
export interface ErrorHandler<T = unknown> {
  (error: Error, record?: ConsumerRecord<T>): Promise<void> | void;
}

/** What happens to a record whose last attempt failed. */
export type FailurePolicy = 'dead-letter' | 'stop';

/** How `subscribe` runs a handler. */
export interface MessageHandlerConfig<T = unknown> {
  handler: MessageHandler<T>;
  /** Called after a record failed its last attempt (and was dead-lettered). */
  errorHandler?: ErrorHandler<T>;
  /** Retries after the first failed attempt. @default 3 */
  maxRetries?: number;
  /**
   * Delay before the first retry, in milliseconds. Each retry doubles it,
   * with ±20% random jitter. @default 1000
   */
  retryDelay?: number;
  /** Upper bound of a retry delay, in milliseconds. @default 30000 */
  maxRetryDelay?: number;
  /** Overrides the consumer's `autoCommit`. */
  autoCommit?: boolean;
  /**
   * Topic that receives records whose last attempt failed, with the error
   * in their headers. `false` drops such records after logging them.
   * @default `${topic}.dlq`
   */
  deadLetterTopic?: string | false;
  /**
   * `dead-letter` moves on to the next record; `stop` stops the partition at
   * the failed record (it is retried after a restart or a rebalance).
   * @default 'dead-letter'
   */
  onFailure?: FailurePolicy;
  /**
   * Runs the handler inside a MongoDB transaction that also commits the
   * offset, so the handler's writes (made with `context.session`) happen
   * exactly once. Pass transaction options to override the defaults
   * (majority read and write concern).
   * @default false
   */
  transactional?: boolean | TransactionOptions;
}
