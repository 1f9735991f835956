import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  InternalCollections,
} from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('connection budget and shutdown', () => {
  let broker: ChangeStreamBroker;
  const consumers: ChangeStreamConsumer[] = [];

  afterEach(async () => {
    await Promise.all(
      consumers.splice(0).map((consumer) => consumer.disconnect()),
    );
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('keeps publishing and committing with more streams than connections', async () => {
    // Four pooled connections, two of them kept for publishes and commits,
    // shared by six streams (five consumers and the membership watch).
    broker = await connectTestBroker({ clientOptions: { maxPoolSize: 4 } });
    const topics = Array.from({ length: 5 }, () => uniqueName('pool'));
    const collectors = topics.map(() => new RecordCollector<number>());
    for (const [index, topic] of topics.entries()) {
      const consumer = await broker.createConsumer({
        groupId: 'pool',
        topic,
        autoCommitIntervalMs: 200,
        maxAwaitTimeMS: 500,
      });
      consumers.push(consumer);
      await consumer.subscribe({ handler: collectors[index].handler });
    }

    const sendTimes: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const topic of topics) {
        const producer = await broker.createProducer({ topic });
        const started = Date.now();
        await producer.send({ value: round });
        sendTimes.push(Date.now() - started);
      }
    }
    await waitFor(
      () => collectors.every((collector) => collector.records.length === 3),
      {
        description: 'three records on every topic',
      },
    );
    const offsets = broker
      .getDatabase()
      .collection(InternalCollections.offsets);
    await waitFor(
      async () =>
        (await offsets.countDocuments({
          'lastMessage.id': { $exists: true },
        })) === topics.length,
      { description: 'a commit on every topic' },
    );
    // A send never waits behind a stream's read.
    expect(Math.max(...sendTimes)).toBeLessThan(400);
  });

  it('finishes the record in progress, commits and leaves on disconnect', async () => {
    broker = await connectTestBroker();
    const topic = uniqueName('shutdown');
    await broker.createTopic({ name: topic, partitions: 1 });
    const finished: number[] = [];
    let started = 0;
    const consumer = await broker.createConsumer({
      groupId: 'graceful',
      topic,
      autoCommitIntervalMs: 60_000,
    });
    await consumer.subscribe<number>({
      handler: async (record) => {
        started += 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
        finished.push(record.message.value);
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send([{ value: 1 }, { value: 2 }, { value: 3 }]);
    await waitFor(() => started === 1, {
      description: 'the first handler to start',
    });

    await consumer.disconnect();
    expect(finished).toEqual([1]);
    const members = await broker
      .getDatabase()
      .collection(InternalCollections.members)
      .countDocuments();
    expect(members).toBe(0);

    const collector = new RecordCollector<number>();
    const next = await broker.createConsumer({ groupId: 'graceful', topic });
    consumers.push(next);
    await next.subscribe({ handler: collector.handler });
    await waitFor(() => collector.records.length === 2, {
      description: '2 records',
    });
    expect(collector.values()).toEqual([2, 3]);
  });

  it('gives up waiting for a handler after shutdownTimeoutMs', async () => {
    broker = await connectTestBroker();
    const topic = uniqueName('stuck');
    const consumer = await broker.createConsumer({
      groupId: 'stuck',
      topic,
      shutdownTimeoutMs: 300,
    });
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    await consumer.subscribe({
      handler: async () => {
        started = true;
        await blocked;
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send({ value: 'slow' });
    await waitFor(() => started, { description: 'the handler to start' });

    const before = Date.now();
    await consumer.disconnect();
    expect(Date.now() - before).toBeLessThan(3_000);
    release();
  });
});
