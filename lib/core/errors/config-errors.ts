import { ChangeStreamBrokerError } from './broker-error';
import { BrokerErrorCode } from './error-codes';

/** A configuration value is missing or out of range. */
export class ConfigurationError extends ChangeStreamBrokerError {
  constructor(message: string) {
    super(BrokerErrorCode.InvalidConfig, message);
  }
}

/** A handler passed to `subscribe` or `@OnTopic` is not a function. */
export class InvalidHandlerError extends ChangeStreamBrokerError {
  constructor(message: string) {
    super(BrokerErrorCode.InvalidHandler, message);
  }
}

/** A method was called in a state that does not allow it. */
export class InvalidStateError extends ChangeStreamBrokerError {
  constructor(message: string) {
    super(BrokerErrorCode.InvalidConsumerState, message);
  }
}
