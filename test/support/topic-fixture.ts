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
 * Registers `beforeEach` and `afterEach` hooks that give every test of the
 * enclosing `describe` a connected broker, a fresh database and a topic of
 * `partitions` partitions named after `prefix`, and that disconnect the
 * listed consumers, drop the database and disconnect the broker afterwards.
 * The returned object's fields are set once the `beforeEach` hook ran.
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
