import { BrokerErrorCode } from './error-codes';

/** Options shared by every {@link ChangeStreamBrokerError}. */
export interface BrokerErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Whether the same call may succeed later without a change by the caller. */
  retriable?: boolean;
}

/**
 * Base class of every error this library throws. `code` is stable across
 * versions; `retriable` says whether repeating the call can help.
 */
export class ChangeStreamBrokerError extends Error {
  readonly code: BrokerErrorCode;
  readonly retriable: boolean;

  constructor(
    code: BrokerErrorCode,
    message: string,
    options: BrokerErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
