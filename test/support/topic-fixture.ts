import type { ChangeStreamBroker, ChangeStreamConsumer } from '../../lib/core';
import { connectTestBroker, uniqueName } from './test-database';

/** A broker on a fresh database with one topic, made anew for every test. */
export interface TopicFixture {
  broker: ChangeStreamBroker;
  topic: string;
  /** Consumers that are disconnected after each test. */
  consumers: ChangeStreamConsumer[];
}

/**
 * Registers `beforeEach` and `afterEach` hooks for the enclosing
 * `describe`. Before each test: a connected broker, a fresh database and a
 * topic of `partitions` partitions named after `prefix`. After it: the
 * listed consumers are disconnected, the database dropped and the broker
 * disconnected. The returned object's fields are set by the first hook.
 */
export function useTopicFixture(
  prefix: string,
  partitions: number,
): TopicFixture {
  const fixture = { consumers: [] } as unknown as TopicFixture;

  beforeEach(async () => {
    fixture.broker = await connectTestBroker();
    fixture.topic = uniqueName(prefix);
    await fixture.broker.createTopic({ name: fixture.topic, partitions });
  });

  afterEach(async () => {
    await Promise.all(
      fixture.consumers.splice(0).map((consumer) => consumer.disconnect()),
    );
    await fixture.broker.getDatabase().dropDatabase();
    await fixture.broker.disconnect();
  });

  return fixture;
}
