import { Document, MongoClient } from 'mongodb';
import type { ResolvedBrokerConfig } from '../config/broker-config';
import { ConnectionFailedError } from '../errors';
import type { BrokerLogger } from '../logging/broker-logger';
import { backoffDelay } from '../util/backoff';
import { delay } from '../util/delay';

/**
 * Opens a client and runs `hello`, retrying `maxRetries` times with
 * exponential backoff. Each attempt is bounded by `connectTimeoutMs`.
 */
export async function connectWithRetry(
  config: ResolvedBrokerConfig,
  logger: BrokerLogger,
): Promise<{ client: MongoClient; hello: Document }> {
  const attempts = config.maxRetries + 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const client = new MongoClient(config.mongoUri, {
      serverSelectionTimeoutMS: config.connectTimeoutMs,
      connectTimeoutMS: config.connectTimeoutMs,
      ...config.clientOptions,
    });
    try {
      await client.connect();
      const hello = await client.db('admin').command({ hello: 1 });
      logger.info('Connected to the server', {
        uri: config.maskedUri,
        attempt,
      });
      return { client, hello };
    } catch (error) {
      lastError = error;
      await client.close().catch(() => undefined);
      if (attempt === attempts) {
        break;
      }
      const wait = backoffDelay(attempt, {
        initialDelayMs: config.retryDelayMs,
        maxDelayMs: config.maxRetryDelayMs,
      });
      logger.warn('Connection attempt failed; retrying', {
        uri: config.maskedUri,
        attempt,
        of: attempts,
        retryInMs: wait,
        error: (error as Error).message,
      });
      await delay(wait);
    }
  }
  throw new ConnectionFailedError(
    `Failed to connect to ${config.maskedUri} after ${attempts} attempt(s) ` +
      `of up to ${config.connectTimeoutMs} ms each: ` +
      `${(lastError as Error)?.message ?? String(lastError)}. Check that the ` +
      'server runs and is reachable, or raise connectTimeoutMs.',
    lastError,
  );
}
