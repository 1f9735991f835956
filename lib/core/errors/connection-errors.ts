import { ChangeStreamBrokerError } from './broker-error';
import { BrokerErrorCode } from './error-codes';

/** The server could not be reached or refused the connection. */
export class ConnectionFailedError extends ChangeStreamBrokerError {
  constructor(message: string, cause?: unknown) {
    super(BrokerErrorCode.ConnectionFailed, message, {
      cause,
      retriable: true,
    });
  }
}

/** The broker is not connected (never connected, or disconnected). */
export class NotConnectedError extends ChangeStreamBrokerError {
  constructor(operation: string) {
    super(
      BrokerErrorCode.NotConnected,
      `Cannot ${operation}: the broker is not connected. ` +
        'Call broker.connect() first.',
    );
  }
}
