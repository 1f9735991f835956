import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  ConsumerRecord,
  DeadLetterHeaders,
  MessageHandlerConfig,
} from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { connectTestBroker } from '../support/test-database';
import { useTopicFixture } from '../support/topic-fixture';
import { waitFor } from '../support/wait-for';

interface Job {
  n: number;
  failTimes?: number;
}

describe('retries and dead letters', () => {
  const fixture = useTopicFixture('tasks', 2);
  const consumers = fixture.consumers;
  let broker: ChangeStreamBroker;
  let topic: string;

  beforeEach(() => {
    ({ broker, topic } = fixture);
  });

  async function consumer(groupId = 'workers'): Promise<ChangeStreamConsumer> {
    const created = await broker.createConsumer({
      groupId,
      topic,
      autoCommitIntervalMs: 100,
    });
    consumers.push(created);
    return created;
  }

  /**
   * Sends a failing record and a good one to partition 0 and waits until
   * the good one was handled, so the failure was dealt with first.
   */
  async function failThenHandle(
    settings: Omit<MessageHandlerConfig<Job>, 'handler'>,
    failure: () => Error,
  ): Promise<void> {
    const handled: number[] = [];
    const worker = await consumer();
    await worker.subscribe<Job>({
      maxRetries: 0,
      ...settings,
      handler: async (record) => {
        if (record.message.value.failTimes) {
          throw failure();
        }
        handled.push(record.message.value.n);
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send([
      { value: { n: 1, failTimes: 1 }, partition: 0 },
      { value: { n: 2 }, partition: 0 },
    ]);
    await waitFor(() => handled.includes(2), {
      description: 'the record after the failure',
    });
  }

  it('retries with growing delays, in order, without blocking other partitions', async () => {
    const attempts = new Map<number, number[]>();
    const finished: ConsumerRecord<Job>[] = [];
    const worker = await consumer();
    await worker.subscribe<Job>({
      maxRetries: 3,
      retryDelay: 100,
      handler: async (record) => {
        const n = record.message.value.n;
        const times = [...(attempts.get(n) ?? []), Date.now()];
        attempts.set(n, times);
        if (times.length <= (record.message.value.failTimes ?? 0)) {
          throw new Error(`attempt ${times.length} of ${n} fails`);
        }
        finished.push(record);
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send([
      { value: { n: 1, failTimes: 2 }, partition: 0, key: 'same' },
      { value: { n: 2 }, partition: 0, key: 'same' },
      { value: { n: 3 }, partition: 1 },
    ]);

    await waitFor(() => finished.length === 3, {
      description: 'three records',
    });
    const order = finished.map((record) => record.message.value.n);
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(2));
    // Partition 1 finished while partition 0 waited to retry.
    expect(order.indexOf(3)).toBeLessThan(order.indexOf(1));
    const times = attempts.get(1)!;
    expect(times).toHaveLength(3);
    const firstGap = times[1] - times[0];
    const secondGap = times[2] - times[1];
    expect(firstGap).toBeGreaterThanOrEqual(75);
    expect(secondGap).toBeGreaterThanOrEqual(150);
  });

  it('dead-letters a record after the last attempt and moves on', async () => {
    const errors: Array<{ error: Error; record?: ConsumerRecord }> = [];
    const collector = new RecordCollector<Job>();
    const worker = await consumer();
    await worker.subscribe<Job>({
      maxRetries: 1,
      retryDelay: 10,
      handler: async (record) => {
        if (record.message.value.failTimes) {
          throw new Error('poison message');
        }
        await collector.handler(record);
      },
      errorHandler: async (error, record) => {
        errors.push({ error, record });
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send([
      { key: 'k', value: { n: 1, failTimes: 99 }, headers: { kind: 'test' } },
      { key: 'k', value: { n: 2 } },
    ]);

    await waitFor(() => collector.records.length === 1, {
      description: 'the good record',
    });
    await waitFor(() => errors.length === 1, {
      description: 'the error handler',
    });
    const deadLetters = broker.getDatabase().collection(`${topic}.dlq`);
    const [dead] = await waitFor(async () => {
      const documents = await deadLetters.find().toArray();
      return documents.length > 0 ? documents : undefined;
    });
    expect(dead.key).toBe('k');
    expect(dead.value).toEqual({ n: 1, failTimes: 99 });
    expect(dead.headers.kind).toBe('test');
    expect(dead.headers[DeadLetterHeaders.errorMessage]).toBe('poison message');
    expect(dead.headers[DeadLetterHeaders.errorStack]).toContain(
      'poison message',
    );
    expect(dead.headers[DeadLetterHeaders.attempts]).toBe('2');
    expect(dead.headers[DeadLetterHeaders.originalTopic]).toBe(topic);
    expect(dead.headers[DeadLetterHeaders.originalPartition]).toBe(
      String(errors[0].record?.partition),
    );
    expect(dead.headers[DeadLetterHeaders.originalOffset]).toContain('_data');
    expect(errors[0].error.message).toBe('poison message');
    expect(errors[0].record?.message.value).toEqual({ n: 1, failTimes: 99 });
  });

  it('stops the partition under the stop policy and retries after a restart', async () => {
    let failing = true;
    const handled: number[] = [];
    const handler = async (record: ConsumerRecord<Job>) => {
      if (record.message.value.failTimes && failing) {
        throw new Error('stop here');
      }
      handled.push(record.message.value.n);
    };
    const worker = await consumer();
    await worker.subscribe<Job>({
      maxRetries: 0,
      onFailure: 'stop',
      handler,
    });
    const producer = await broker.createProducer({ topic });
    await producer.send([
      { value: { n: 1, failTimes: 1 }, partition: 0 },
      { value: { n: 2 }, partition: 0 },
      { value: { n: 3 }, partition: 1 },
    ]);
    await waitFor(() => handled.includes(3), { description: 'partition 1' });
    await producer.send({ value: { n: 4 }, partition: 1 });
    await waitFor(() => handled.includes(4), {
      description: 'partition 1 again',
    });
    expect(handled).not.toContain(2);
    expect(
      await broker.getDatabase().collection(`${topic}.dlq`).countDocuments(),
    ).toBe(0);

    await worker.disconnect();
    failing = false;
    const restarted = await consumer();
    await restarted.subscribe<Job>({
      maxRetries: 0,
      onFailure: 'stop',
      handler,
    });
    await waitFor(() => handled.includes(1) && handled.includes(2), {
      description: 'the stopped records after a restart',
    });
    expect(handled.indexOf(1)).toBeLessThan(handled.indexOf(2));
    expect(handled.filter((n) => n === 3)).toHaveLength(1);
  });

  it('drops a failed record when dead-lettering is off', async () => {
    await failThenHandle(
      { deadLetterTopic: false },
      () => new Error('dropped'),
    );
    const names = await broker.getDatabase().listCollections().toArray();
    expect(names.map((collection) => collection.name)).not.toContain(
      `${topic}.dlq`,
    );
  });

  it('dead-letters a record whose copy would be too large', async () => {
    // A small limit replaces the server's 16 MB. The first value fits on
    // its own, but not with the failure headers.
    const small = await connectTestBroker({
      database: broker.database,
      maxMessageBytes: 12_000,
    });
    try {
      const worker = await small.createConsumer({ groupId: 'big', topic });
      const errors: Error[] = [];
      const handled: number[] = [];
      await worker.subscribe<{ n: number; data?: string }>({
        maxRetries: 0,
        handler: async (record) => {
          const { n } = record.message.value;
          if (n === 1) {
            throw new Error('too big to handle');
          }
          if (n === 2) {
            throw new Error(`long failure ${'x'.repeat(100_000)}`);
          }
          handled.push(n);
        },
        errorHandler: async (error) => {
          errors.push(error);
        },
      });
      const producer = await small.createProducer({ topic });
      await producer.send([
        { value: { n: 1, data: 'v'.repeat(11_000) }, partition: 0 },
        { value: { n: 2 }, partition: 0 },
        { value: { n: 3 }, partition: 0 },
      ]);

      await waitFor(() => handled.includes(3), {
        description: 'the record after the two failures',
      });
      expect(errors).toHaveLength(2);
      const deadLetters = await small
        .getDatabase()
        .collection(`${topic}.dlq`)
        .find()
        .sort({ _id: 1 })
        .toArray();
      expect(deadLetters).toHaveLength(2);
      const [withoutValue, longMessage] = deadLetters;
      expect(withoutValue.value).toBeNull();
      expect(withoutValue.headers[DeadLetterHeaders.valueOmitted]).toMatch(
        /over the limit of 12000/,
      );
      expect(withoutValue.headers[DeadLetterHeaders.originalMessageId]).toEqual(
        expect.any(String),
      );
      expect(longMessage.value).toEqual({ n: 2 });
      const message = longMessage.headers[DeadLetterHeaders.errorMessage];
      expect(message.length).toBeLessThan(4_100);
      expect(message).toMatch(/\(100013 characters in all\)$/);
      await worker.disconnect();
    } finally {
      await small.disconnect();
    }
  });

  it('dead-letters an error whose message is not a string', async () => {
    await failThenHandle({}, () => {
      const error = new Error('replaced below');
      Object.assign(error, { message: { reason: 'odd' }, stack: 42 });
      return error;
    });
    const [dead] = await broker
      .getDatabase()
      .collection(`${topic}.dlq`)
      .find()
      .toArray();
    expect(dead.headers[DeadLetterHeaders.errorMessage]).toBe(
      '[object Object]',
    );
    expect(dead.headers[DeadLetterHeaders.errorStack]).toBe('');
  });

  it('stops the partition when the server refuses every dead letter', async () => {
    // A validator no document passes: writing again cannot help.
    await broker.getDatabase().createCollection(`${topic}.dlq`, {
      validator: { $jsonSchema: { required: ['never-present'] } },
    });
    const worker = await consumer();
    const stopped: number[] = [];
    const errors: Error[] = [];
    const handled: number[] = [];
    worker.on('consumer.partition.stopped', (_source, partition) => {
      stopped.push(partition);
    });
    await worker.subscribe<Job>({
      maxRetries: 0,
      handler: async (record) => {
        if (record.message.value.failTimes) {
          throw new Error('refused twice');
        }
        handled.push(record.message.value.n);
      },
      errorHandler: async (error) => {
        errors.push(error);
      },
    });
    const producer = await broker.createProducer({ topic });
    await producer.send([
      { value: { n: 1, failTimes: 1 }, partition: 0 },
      { value: { n: 2 }, partition: 0 },
      { value: { n: 3 }, partition: 1 },
    ]);

    await waitFor(() => stopped.length === 1 && handled.includes(3), {
      description: 'partition 0 to stop while partition 1 goes on',
    });
    expect(stopped).toEqual([0]);
    expect(errors.map((error) => error.message)).toEqual(['refused twice']);
    expect(handled).toEqual([3]);
  });
});
