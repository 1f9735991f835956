import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ChangeStreamBroker } from '../../core/broker/change-stream-broker';
import { CHANGE_STREAM_MODULE_LOG_CONTEXT } from '../change-stream.constants';

/**
 * Disconnects the broker when the application shuts down. Nest runs every
 * `beforeApplicationShutdown` hook first, so the consumers have stopped by
 * then.
 */
@Injectable()
export class BrokerShutdown implements OnApplicationShutdown {
  private readonly logger = new Logger(CHANGE_STREAM_MODULE_LOG_CONTEXT);

  constructor(private readonly broker: ChangeStreamBroker) {}

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.broker.disconnect();
    } catch (error) {
      this.logger.error(
        `Failed to disconnect the broker from database ` +
          `"${this.broker.database}"`,
        (error as Error).stack,
      );
    }
  }
}
