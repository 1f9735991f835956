import {
  ChangeStreamBroker,
  ConfigurationError,
  ConnectionFailedError,
  InternalCollections,
  InvalidHandlerError,
  InvalidMessageError,
  InvalidPartitionError,
  InvalidTopicNameError,
  MessageTooLargeError,
  PartitionMismatchError,
  silentLogger,
  TopicNotFoundError,
} from '../../lib/core';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('bad input', () => {
  let broker: ChangeStreamBroker;

  beforeEach(async () => {
    broker = await connectTestBroker();
  });

  afterEach(async () => {
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  async function collectionNames(): Promise<string[]> {
    const collections = await broker.getDatabase().listCollections().toArray();
    return collections.map((collection) => collection.name);
  }

  it.each(['bad name', '__csb_private', 'system.things', '', '..'])(
    'rejects the topic name %j and creates nothing',
    async (name) => {
      const before = await collectionNames();
      await expect(broker.createTopic({ name })).rejects.toThrow(
        InvalidTopicNameError,
      );
      await expect(broker.createProducer({ topic: name })).rejects.toThrow(
        InvalidTopicNameError,
      );
      await expect(
        broker.createConsumer({ groupId: 'g', topic: name }),
      ).rejects.toThrow(InvalidTopicNameError);
      expect(await collectionNames()).toEqual(before);
    },
  );

  it('requires mongoUri and database', () => {
    expect(() => new ChangeStreamBroker({ database: 'x' } as never)).toThrow(
      ConfigurationError,
    );
    expect(
      () =>
        new ChangeStreamBroker({ mongoUri: 'mongodb://localhost' } as never),
    ).toThrow(/Missing database/);
  });

  it('fails fast on an unreachable server without printing the password', async () => {
    const unreachable = new ChangeStreamBroker({
      mongoUri: 'mongodb://alice:s3cret@127.0.0.1:1/?directConnection=true',
      database: 'events',
      connectTimeoutMs: 300,
      maxRetries: 1,
      retryDelayMs: 50,
      logger: silentLogger,
    });
    const started = Date.now();
    const error = await unreachable
      .connect()
      .catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(ConnectionFailedError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as ConnectionFailedError).retriable).toBe(true);
  });

  it('rejects values that cannot be stored as BSON and writes nothing', async () => {
    const topic = uniqueName('bson');
    const producer = await broker.createProducer({ topic });
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;

    await expect(producer.send({ value: () => 1 })).rejects.toThrow(
      InvalidMessageError,
    );
    await expect(
      producer.send([{ value: { ok: true } }, { value: circular }]),
    ).rejects.toThrow(/cannot be stored as BSON/);
    await expect(producer.send({ value: undefined })).rejects.toThrow(
      /value is missing/,
    );
    await expect(
      producer.send({ value: 1, headers: { count: 3 } as never }),
    ).rejects.toThrow(/Invalid header "count"/);
    await expect(
      producer.send({ value: 1, headers: { 'a\0b': 'x' } }),
    ).rejects.toThrow(InvalidMessageError);
    await expect(producer.send({ key: 7 as never, value: 1 })).rejects.toThrow(
      /Invalid key/,
    );
    expect(await broker.getDatabase().collection(topic).countDocuments()).toBe(
      0,
    );
  });

  it('rejects a bigint or Set batch entirely', async () => {
    const topic = uniqueName('changed');
    const producer = await broker.createProducer({ topic });

    const bigintError = await producer
      .send([{ value: { ok: true } }, { value: { amount: 2n ** 70n } }])
      .catch((caught: unknown) => caught);
    expect(bigintError).toBeInstanceOf(InvalidMessageError);
    expect((bigintError as Error).message).toContain(
      'value.amount is the bigint 1180591620717411303424n',
    );

    const setError = await producer
      .send([
        { value: { ok: true } },
        { value: { order: { tags: new Set(['a']) } } },
      ])
      .catch((caught: unknown) => caught);
    expect(setError).toBeInstanceOf(InvalidMessageError);
    expect((setError as Error).message).toContain('value.order.tags is a Set');

    expect(await broker.getDatabase().collection(topic).countDocuments()).toBe(
      0,
    );
  });

  it('stores undefined fields of a value as null', async () => {
    const topic = uniqueName('undefined');
    const producer = await broker.createProducer({ topic });
    await producer.send({
      value: { id: 1, note: undefined, list: [undefined] },
    });

    const stored = await broker.getDatabase().collection(topic).findOne({});
    expect(stored?.value).toEqual({ id: 1, note: null, list: [null] });
  });

  it('rejects a message over the size limit and names both sizes', async () => {
    const small = await connectTestBroker({ maxMessageBytes: 1_000 });
    try {
      const topic = uniqueName('big');
      const producer = await small.createProducer({ topic });
      const error = await producer
        .send({ value: 'x'.repeat(2_000) })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect((error as Error).message).toMatch(/is \d+ bytes once stored/);
      expect((error as Error).message).toContain('limit of 1000 bytes');
      expect(await small.getDatabase().collection(topic).countDocuments()).toBe(
        0,
      );
    } finally {
      await small.getDatabase().dropDatabase();
      await small.disconnect();
    }
  });

  it('rejects a message whose change event would pass the server limit', async () => {
    const topic = uniqueName('huge');
    const producer = await broker.createProducer({ topic });
    const almost16MiB = 'x'.repeat(16 * 1024 * 1024 - 1_000);
    await expect(producer.send({ value: almost16MiB })).rejects.toThrow(
      MessageTooLargeError,
    );
    expect(await broker.getDatabase().collection(topic).countDocuments()).toBe(
      0,
    );
  });

  it('delivers a message just under the server limit', async () => {
    const topic = uniqueName('large');
    const producer = await broker.createProducer({ topic });
    const consumer = await broker.createConsumer({ groupId: 'large', topic });
    const sizes: number[] = [];
    await consumer.subscribe<string>({
      handler: async (record) => {
        sizes.push(record.message.value.length);
      },
    });
    const value = 'y'.repeat(16 * 1024 * 1024 - 32 * 1024);
    await producer.send({ value });
    await waitFor(() => sizes.length === 1, {
      description: 'the large record',
    });
    expect(sizes).toEqual([value.length]);
    await consumer.disconnect();
  });

  it('rejects a handler that is not a function', async () => {
    const consumer = await broker.createConsumer({
      groupId: 'g',
      topic: uniqueName('handlers'),
    });
    await expect(
      consumer.subscribe({ handler: 'not a function' as never }),
    ).rejects.toThrow(InvalidHandlerError);
    await expect(consumer.subscribe(undefined as never)).rejects.toThrow(
      InvalidHandlerError,
    );
    const members = await broker
      .getDatabase()
      .collection(InternalCollections.members)
      .countDocuments();
    expect(members).toBe(0);
  });

  it('rejects a partition count that differs from the topic', async () => {
    const topic = uniqueName('fixed');
    await broker.createTopic({ name: topic, partitions: 3 });
    await expect(
      broker.createTopic({ name: topic, partitions: 4 }),
    ).rejects.toThrow(PartitionMismatchError);
    await expect(
      broker.createProducer({ topic, partitions: 2 }),
    ).rejects.toThrow(/has 3 partition\(s\) but 2 were requested/);
    await expect(
      broker.createConsumer({ groupId: 'g', topic, partitions: 6 }),
    ).rejects.toThrow(PartitionMismatchError);
  });

  it('rejects an explicit partition outside the topic', async () => {
    const topic = uniqueName('explicit');
    await broker.createTopic({ name: topic, partitions: 2 });
    const producer = await broker.createProducer({ topic });
    await expect(producer.send({ value: 1, partition: 2 })).rejects.toThrow(
      InvalidPartitionError,
    );
    await expect(producer.send({ value: 1, partition: 0.5 })).rejects.toThrow(
      /expected an integer from 0 to 1/,
    );
  });

  it('does not create topics when autoCreateTopics is off', async () => {
    const strict = await connectTestBroker({ autoCreateTopics: false });
    try {
      await expect(
        strict.createProducer({ topic: uniqueName('missing') }),
      ).rejects.toThrow(TopicNotFoundError);
    } finally {
      await strict.getDatabase().dropDatabase();
      await strict.disconnect();
    }
  });
});
