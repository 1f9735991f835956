import { Logger } from '@nestjs/common';
import type {
  HandlerContext,
  MessageHandler,
} from '../../core/consumer/message-handler';
import type { ConsumerRecord } from '../../core/consumer/consumer-record';
import { isTransientTransactionError } from '../../core/consumer/transaction-runner';
import { appendLogFields } from '../logging/log-fields';

/**
 * Returns the handler the consumer calls for an `@OnTopic` method: it runs
 * the method with `this` bound to `instance`, and logs a failed attempt
 * under `name` (`Class#method`) before rethrowing, so the consumer's
 * retry, dead-letter and commit rules still apply. A transient transaction
 * error is logged at debug level only: the transaction runs again soon,
 * and write conflicts between members can repeat many times a second.
 */
export function createTopicHandler(
  instance: object,
  methodName: string,
  name: string,
): MessageHandler {
  const method = Reflect.get(instance, methodName) as MessageHandler;
  const logger = new Logger(name);

  return async function invokeTopicHandler(
    record: ConsumerRecord,
    context: HandlerContext,
  ): Promise<void> {
    try {
      await method.call(instance, record, context);
    } catch (error) {
      const fields = {
        topic: record.topic,
        partition: record.partition,
        messageId: record.message.id,
        attempt: context.attempt,
        error: error instanceof Error ? error : String(error),
      };
      if (isTransientTransactionError(error)) {
        logger.debug(
          appendLogFields('Transaction conflict; running it again', fields),
        );
      } else {
        logger.error(
          appendLogFields('Handler failed', fields),
          error instanceof Error ? error.stack : undefined,
        );
      }
      throw error;
    }
  };
}
