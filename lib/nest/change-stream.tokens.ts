/** Injection token of the broker's `MongoClient` (see `@InjectMongoClient`). */
export const CHANGE_STREAM_MONGO_CLIENT = 'ChangeStreamMongoClient';

/**
 * Returns the injection token of the topic-bound publisher that
 * `ChangeStreamModule.forFeature()` registers for `topic`.
 */
export function getTopicPublisherToken(topic: string): string {
  return `ChangeStreamTopicPublisher:${topic}`;
}
