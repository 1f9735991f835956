import { ClientSession, MongoError, TransactionOptions } from 'mongodb';
import { backoffDelay } from '../util/backoff';
import { delay } from '../util/delay';
import { ignoreError } from '../util/ignore-error';

/** The driver's own bound on retrying one transaction, in milliseconds. */
const TRANSACTION_TIME_LIMIT_MS = 120_000;

/**
 * Backoff between runs of a transaction after a transient error. Write
 * conflicts between concurrent transactions repeat when the losers retry
 * at once; a short, growing, jittered wait spreads them out.
 */
const TRANSIENT_BACKOFF = { initialDelayMs: 5, maxDelayMs: 500, jitter: 0.5 };

const TRANSIENT = 'TransientTransactionError';
const UNKNOWN_COMMIT = 'UnknownTransactionCommitResult';

function hasLabel(error: unknown, label: string): boolean {
  return error instanceof MongoError && error.hasErrorLabel(label);
}

/**
 * Tells whether `error` carries the `TransientTransactionError` label, so
 * the whole transaction runs again.
 */
export function isTransientTransactionError(error: unknown): boolean {
  return hasLabel(error, TRANSIENT);
}

/** The steps of a transaction that also commits an offset. */
export interface TransactionSteps {
  /** The handler's work. */
  work(session: ClientSession): Promise<void>;
  /**
   * Acquires the partition's commit lock and writes the offset in the
   * transaction; returns the lock's release and the written position key.
   */
  commitOffset(
    session: ClientSession,
  ): Promise<{ release: () => void; key?: string }>;
  /** Runs after the commit succeeded, while the lock is still held. */
  onCommitted(key: string | undefined): void;
  /** Tells whether a commit with an unknown outcome wrote `key`. */
  isStored(key: string): Promise<boolean>;
  /** Called before the transaction runs again after a transient error. */
  onTransientRetry?(retry: number, waitMs: number, error: unknown): void;
}

/**
 * Runs `steps` in a transaction with the retry rules MongoDB documents for
 * the driver: the whole transaction again on `TransientTransactionError`
 * (after a short backoff),
 * the commit again on `UnknownTransactionCommitResult`, both within 120
 * seconds. When the commit outcome stays unknown, the stored offset shows
 * whether it happened. Other errors abort and are rethrown.
 */
export async function runOffsetTransaction(
  session: ClientSession,
  options: TransactionOptions,
  steps: TransactionSteps,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + TRANSACTION_TIME_LIMIT_MS;
  for (let retry = 1; ; retry += 1) {
    session.startTransaction(options);
    let release: (() => void) | undefined;
    try {
      await steps.work(session);
      const written = await steps.commitOffset(session);
      release = written.release;
      await commitWithRetry(session, deadline, steps, written.key);
      steps.onCommitted(written.key);
      return;
    } catch (error) {
      if (session.inTransaction()) {
        await session.abortTransaction().catch(ignoreError);
      }
      if (
        isTransientTransactionError(error) &&
        Date.now() < deadline &&
        !signal.aborted
      ) {
        const wait = backoffDelay(retry, TRANSIENT_BACKOFF);
        steps.onTransientRetry?.(retry, wait, error);
        await delay(wait, signal);
        continue;
      }
      throw error;
    } finally {
      release?.();
    }
  }
}

async function commitWithRetry(
  session: ClientSession,
  deadline: number,
  steps: TransactionSteps,
  key: string | undefined,
): Promise<void> {
  for (;;) {
    try {
      await session.commitTransaction();
      return;
    } catch (error) {
      if (!hasLabel(error, UNKNOWN_COMMIT) || hasLabel(error, TRANSIENT)) {
        throw error;
      }
      if (Date.now() < deadline) {
        continue;
      }
      if (key !== undefined && (await steps.isStored(key))) {
        return;
      }
      throw error;
    }
  }
}
