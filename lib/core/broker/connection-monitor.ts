import type { MongoClient, ServerDescriptionChangedEvent } from 'mongodb';
import type { BrokerLogger } from '../logging/broker-logger';

/**
 * Logs when the driver loses a server and when it gets it back. The driver
 * reconnects, retries writes and resumes change streams by itself, so
 * without this an outage would leave no trace in the logs.
 */
export function monitorConnection(
  client: MongoClient,
  logger: BrokerLogger,
): void {
  const lostAt = new Map<string, number>();
  client.on(
    'serverDescriptionChanged',
    (event: ServerDescriptionChangedEvent) => {
      const address = event.address;
      const wasKnown = event.previousDescription.type !== 'Unknown';
      const isKnown = event.newDescription.type !== 'Unknown';
      if (wasKnown && !isKnown) {
        lostAt.set(address, Date.now());
        logger.warn('Lost the connection to the server; reconnecting', {
          address,
          error: event.newDescription.error ?? undefined,
        });
      } else if (!wasKnown && isKnown && lostAt.has(address)) {
        logger.info('Reconnected to the server', {
          address,
          downForMs: Date.now() - lostAt.get(address)!,
        });
        lostAt.delete(address);
      }
    },
  );
}
