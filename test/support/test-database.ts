import { randomBytes } from 'node:crypto';
import {
  ChangeStreamBroker,
  ChangeStreamBrokerConfig,
  silentLogger,
} from '../../lib/core';

/** Connection string of the run's database (set by the global setup). */
export function testMongoUrl(): string {
  const url = process.env.CSB_TEST_MONGO_URL;
  if (!url) {
    throw new Error('CSB_TEST_MONGO_URL is not set; run the tests with jest.');
  }
  return url;
}

/** SecantusDB binary, when the run uses one (restart tests need it). */
export function secantusdBinary(): string | undefined {
  return process.env.CSB_TEST_SECANTUSD_BIN;
}

/** A name no other test uses: `prefix` plus random hex. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Creates and connects a broker on a fresh database of the run's server. */
export async function connectTestBroker(
  overrides: Partial<ChangeStreamBrokerConfig> = {},
): Promise<ChangeStreamBroker> {
  const broker = new ChangeStreamBroker({
    mongoUri: testMongoUrl(),
    database: uniqueName('csb_test'),
    logger: process.env.CSB_TEST_LOGS ? undefined : silentLogger,
    heartbeatIntervalMs: 200,
    sessionTimeoutMs: 1_500,
    retryDelayMs: 100,
    ...overrides,
  });
  await broker.connect();
  return broker;
}
