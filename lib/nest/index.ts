export { ChangeStreamModule } from './change-stream.module';
export type {
  ChangeStreamModuleAsyncOptions,
  ChangeStreamOptionsFactory,
} from './change-stream.module-definition';
export {
  CHANGE_STREAM_MONGO_CLIENT,
  getTopicPublisherToken,
} from './change-stream.tokens';
export { ConsumerRegistry } from './consumers/consumer-registry';
export type { RegisteredConsumer } from './consumers/consumer-registry';
export { InjectMongoClient } from './decorators/inject-mongo-client.decorator';
export { InjectPublisher } from './decorators/inject-publisher.decorator';
export { OnTopic } from './decorators/on-topic.decorator';
export type { OnTopicMetadata } from './decorators/on-topic.decorator';
export type * from './interfaces';
export { NestBrokerLogger } from './logging/nest-broker-logger';
export { TopicBoundPublisher } from './publisher/topic-bound-publisher';
export { TopicPublisher } from './publisher/topic-publisher';
