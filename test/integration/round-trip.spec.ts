import type { ChangeStreamBroker } from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('round trip', () => {
  let broker: ChangeStreamBroker;

  beforeEach(async () => {
    broker = await connectTestBroker();
  });

  afterEach(async () => {
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('delivers sent messages with key, headers and offset', async () => {
    const topic = uniqueName('orders');
    await broker.createTopic({ name: topic, partitions: 3 });
    const producer = await broker.createProducer({ topic });
    const consumer = await broker.createConsumer({ groupId: 'billing', topic });
    const collector = new RecordCollector<{ n: number }>();
    await consumer.subscribe({ handler: collector.handler });

    const written = await producer.send([
      { key: 'a', value: { n: 1 }, headers: { 'event-type': 'created' } },
      { key: 'b', value: { n: 2 } },
      { key: 'a', value: { n: 3 } },
    ]);

    await waitFor(() => collector.records.length === 3, {
      description: 'three records',
    });
    expect(written.map((record) => record.messageId)).toEqual(
      expect.arrayContaining(collector.ids()),
    );
    const first = collector.records.find(
      (record) => record.message.value.n === 1,
    )!;
    expect(first.topic).toBe(topic);
    expect(first.message.key).toBe('a');
    expect(first.message.headers).toEqual({ 'event-type': 'created' });
    expect(first.offset).toEqual(
      expect.objectContaining({ _data: expect.any(String) }),
    );
    expect(first.partition).toBe(written[0].partition);
    const keyA = collector.records
      .filter((record) => record.message.key === 'a')
      .map((record) => record.message.value.n);
    expect(keyA).toEqual([1, 3]);
    await consumer.disconnect();
  });
});
