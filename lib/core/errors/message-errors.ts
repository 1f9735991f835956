import { ChangeStreamBrokerError } from './broker-error';
import { BrokerErrorCode } from './error-codes';

/** A message cannot be stored: bad key, headers or value. */
export class InvalidMessageError extends ChangeStreamBrokerError {
  constructor(message: string, cause?: unknown) {
    super(BrokerErrorCode.InvalidMessage, message, { cause });
  }
}

/** A message's stored form exceeds the size limit. */
export class MessageTooLargeError extends ChangeStreamBrokerError {
  constructor(
    readonly topic: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      BrokerErrorCode.MessageTooLarge,
      `Message for topic "${topic}" is ${sizeBytes} bytes once stored, ` +
        `over the limit of ${limitBytes} bytes. Send a smaller value ` +
        '(store large payloads elsewhere and send a reference).',
    );
  }
}
