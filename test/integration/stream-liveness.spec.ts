import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ChangeStreamBroker, silentLogger } from '../../lib/core';
import type { SecantusdServer } from '../../scripts/database/secantusd-server';
import {
  describeWithOwnServer,
  startOwnServer,
} from '../support/dedicated-server';
import { startFixture } from '../support/processes';
import { readProcessingLog } from '../support/processing-log';
import { uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describeWithOwnServer('stream liveness', () => {
  let server: SecantusdServer;

  beforeAll(async () => {
    server = await startOwnServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('reopens a stream whose read hangs and reports it', async () => {
    const database = uniqueName('csb_liveness');
    const topic = uniqueName('live');
    const broker = new ChangeStreamBroker({
      mongoUri: server.url,
      database,
      logger: silentLogger,
    });
    await broker.connect();
    await broker.createTopic({ name: topic, partitions: 1 });
    const producer = await broker.createProducer({ topic });

    const appName = uniqueName('stalled');
    const logPath = join(mkdtempSync(join(tmpdir(), 'csb-liveness-')), 'log');
    const worker = startFixture('consumer-worker', {
      MONGO_URL: server.url,
      DATABASE: database,
      TOPIC: topic,
      GROUP_ID: 'liveness',
      APP_NAME: appName,
      PROCESSING_LOG: logPath,
      CONSUMER_OPTIONS: JSON.stringify({
        maxAwaitTimeMS: 200,
        streamStallTimeoutMs: 1_000,
      }),
    });
    const admin = new MongoClient(server.url);
    try {
      await worker.waitForLine(/"type":"ready"/);
      await producer.send({ value: 0 });
      await waitFor(() => readProcessingLog(logPath).length === 1, {
        description: 'the first record',
      });

      // Reads of the worker hang for 8 s each until the failpoint is off.
      const hangReads = (mode: 'alwaysOn' | 'off') =>
        admin.db('admin').command({
          configureFailPoint: 'failCommand',
          mode,
          data: {
            failCommands: ['getMore'],
            blockConnection: true,
            blockTimeMS: 8_000,
            appName,
          },
        });
      await hangReads('alwaysOn');
      await producer.send({ value: 1 });
      await worker.waitForLine(/Change stream stalled; reopening/, 10_000);
      await hangReads('off');
      const resumed = Date.now();
      await waitFor(() => readProcessingLog(logPath).length === 2, {
        description: 'the record sent during the hang',
        timeoutMs: 15_000,
      });
      // Well before the hung read itself would have returned.
      expect(Date.now() - resumed).toBeLessThan(6_000);
    } finally {
      await admin
        .db('admin')
        .command({ configureFailPoint: 'failCommand', mode: 'off' });
      await admin.close();
      await worker.kill('SIGTERM');
      await broker.getDatabase().dropDatabase();
      await broker.disconnect();
    }
  });
});
