import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  InternalCollections,
} from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('transactions', () => {
  let broker: ChangeStreamBroker;
  let topic: string;
  const consumers: ChangeStreamConsumer[] = [];

  beforeEach(async () => {
    broker = await connectTestBroker();
    topic = uniqueName('purchases');
    await broker.createTopic({ name: topic, partitions: 2 });
    await broker.getDatabase().createCollection('effects');
  });

  afterEach(async () => {
    await Promise.all(
      consumers.splice(0).map((consumer) => consumer.disconnect()),
    );
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('commits handler writes and the offset together', async () => {
    const effects = broker.getDatabase().collection('effects');
    let attempts = 0;
    const consumer = await broker.createConsumer({ groupId: 'tx', topic });
    consumers.push(consumer);
    await consumer.subscribe<{ n: number }>({
      transactional: true,
      maxRetries: 2,
      retryDelay: 10,
      handler: async (record, { session }) => {
        attempts += 1;
        await effects.insertOne(
          { n: record.message.value.n, attempt: attempts },
          { session },
        );
        if (attempts === 1) {
          throw new Error('fail after writing');
        }
      },
    });
    const producer = await broker.createProducer({ topic });
    const [sent] = await producer.send({ key: 'a', value: { n: 7 } });

    await waitFor(() => attempts === 2, { description: 'the retry' });
    const offsets = broker
      .getDatabase()
      .collection(InternalCollections.offsets);
    await waitFor(
      () =>
        offsets.findOne({
          topic,
          partition: sent.partition,
          'lastMessage.id': sent.messageId,
        }),
      { description: 'the committed offset' },
    );
    const written = await effects.find().toArray();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ n: 7, attempt: 2 });
  });

  it('publishes inside the caller transaction only when it commits', async () => {
    const collector = new RecordCollector<string>();
    const consumer = await broker.createConsumer({ groupId: 'reader', topic });
    consumers.push(consumer);
    await consumer.subscribe({ handler: collector.handler });
    const producer = await broker.createProducer({ topic });
    const orders = broker.getDatabase().collection('effects');
    const client = broker.getClient();

    const aborted = client.startSession();
    try {
      await aborted.withTransaction(async () => {
        await orders.insertOne({ order: 'aborted' }, { session: aborted });
        await producer.send({ value: 'aborted' }, { session: aborted });
        await aborted.abortTransaction();
      });
    } finally {
      await aborted.endSession();
    }

    await client.withSession((session) =>
      session.withTransaction(async () => {
        await orders.insertOne({ order: 'kept' }, { session });
        await producer.send({ value: 'kept' }, { session });
      }),
    );

    await waitFor(() => collector.records.length === 1, {
      description: 'one record',
    });
    await producer.send({ value: 'after' });
    await waitFor(() => collector.records.length === 2, {
      description: 'the marker',
    });
    expect(collector.values()).toEqual(['kept', 'after']);
    expect(await orders.countDocuments({ order: 'aborted' })).toBe(0);
    expect(
      await broker
        .getDatabase()
        .collection(topic)
        .countDocuments({ value: 'aborted' }),
    ).toBe(0);
  });

  it('dead-letters inside the transaction that moves the offset', async () => {
    const consumer = await broker.createConsumer({ groupId: 'tx-dlq', topic });
    consumers.push(consumer);
    await consumer.subscribe<string>({
      transactional: true,
      maxRetries: 0,
      handler: async () => {
        throw new Error('always');
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send({ key: 'x', value: 'poison' });
    const deadLetters = broker.getDatabase().collection(`${topic}.dlq`);
    await waitFor(
      () => deadLetters.countDocuments().then((count) => count === 1),
      {
        description: 'one dead letter',
      },
    );
    await consumer.disconnect();
    expect(await deadLetters.countDocuments()).toBe(1);
  });
});
