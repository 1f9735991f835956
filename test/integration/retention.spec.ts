import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeStreamBroker, silentLogger } from '../../lib/core';
import type { SecantusdServer } from '../../scripts/database/secantusd-server';
import { RecordCollector } from '../support/collector';
import {
  describeWithOwnServer,
  startOwnServer,
} from '../support/dedicated-server';
import { uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describeWithOwnServer('retention', () => {
  let server: SecantusdServer;
  let broker: ChangeStreamBroker;

  beforeAll(async () => {
    // The TTL monitor runs every second instead of every 60 seconds.
    const config = join(
      mkdtempSync(join(tmpdir(), 'csb-ttl-')),
      'secantusd.toml',
    );
    writeFileSync(config, '[storage]\nttl_sweep_seconds = 1\n');
    server = await startOwnServer({ extraArgs: ['--config', config] });
    broker = new ChangeStreamBroker({
      mongoUri: server.url,
      database: uniqueName('csb_retention'),
      logger: silentLogger,
      heartbeatIntervalMs: 200,
      sessionTimeoutMs: 1_000,
    });
    await broker.connect();
  });

  afterAll(async () => {
    await broker.disconnect();
    await server.stop();
  });

  it('expires old messages and shows the gap in the lag figures', async () => {
    const topic = uniqueName('short');
    await broker.createTopic({
      name: topic,
      partitions: 1,
      retentionMs: 1_000,
    });
    const collection = broker.getDatabase().collection(topic);
    const indexes = await collection.indexes();
    expect(indexes.find((index) => index.name === 'retention')).toMatchObject({
      key: { timestamp: 1 },
      expireAfterSeconds: 1,
    });

    const producer = await broker.createProducer({ topic });
    const first = new RecordCollector<number>();
    const consumer = await broker.createConsumer({ groupId: 'slow', topic });
    await consumer.subscribe({ handler: first.handler });
    await producer.send(Array.from({ length: 5 }, (_, n) => ({ value: n })));
    await waitFor(() => first.records.length === 5, {
      description: '5 records',
    });
    await consumer.disconnect();

    await producer.send(
      Array.from({ length: 20 }, (_, n) => ({ value: 5 + n })),
    );
    await waitFor(async () => (await collection.countDocuments()) === 0, {
      description: 'the messages to expire',
      timeoutMs: 15_000,
    });
    await producer.send({ value: 25 });
    const described = await broker.admin().describeGroup('slow', topic);
    expect(described.partitions[0].lag).toBe(1);
    expect(described.partitions[0].retentionGap).toBe(true);

    // Expired messages still reach the group while the oplog holds their
    // insert events; retention bounds replays, the oplog bounds resumption.
    const second = new RecordCollector<number>();
    const restarted = await broker.createConsumer({ groupId: 'slow', topic });
    await restarted.subscribe({ handler: second.handler });
    await waitFor(() => second.records.length === 21, {
      description: '21 records',
    });
    expect(second.values()).toEqual(
      Array.from({ length: 21 }, (_, n) => 5 + n),
    );
    await restarted.disconnect();
  });

  it('changes the retention of an existing topic', async () => {
    const topic = uniqueName('adjusted');
    await broker.createTopic({ name: topic, retentionMs: 60_000 });
    await broker.createTopic({ name: topic, retentionMs: 120_000 });
    const indexes = await broker.getDatabase().collection(topic).indexes();
    expect(
      indexes.find((index) => index.name === 'retention')?.expireAfterSeconds,
    ).toBe(120);
    expect((await broker.describeTopic(topic))?.retentionMs).toBe(120_000);
  });
});
