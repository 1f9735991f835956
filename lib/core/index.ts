export { BrokerAdmin } from './admin/broker-admin';
export type {
  GroupDescription,
  GroupMemberDescription,
  GroupPartitionDescription,
  ResetOffsetsOptions,
} from './admin/broker-admin';
export {
  ChangeStreamBroker,
  CHANGE_EVENT_ENVELOPE_BYTES,
} from './broker/change-stream-broker';
export type { ChangeStreamBrokerConfig } from './config/broker-config';
export { MAX_PARTITIONS } from './config/broker-config';
export { ChangeStreamConsumer } from './consumer/consumer';
export type { SeekTarget } from './consumer/consumer';
export type {
  ConsumerConfig,
  HistoryLostPolicy,
} from './consumer/consumer-config';
export type {
  ConsumerEvents,
  ConsumerEventSource,
} from './consumer/consumer-events';
export type {
  ConsumerRecord,
  Message,
  ResumeToken,
} from './consumer/consumer-record';
export type { IChangeStreamConsumer } from './consumer/consumer.interface';
export { DeadLetterHeaders } from './consumer/dead-letter';
export type {
  ErrorHandler,
  FailurePolicy,
  HandlerContext,
  MessageHandler,
  MessageHandlerConfig,
} from './consumer/message-handler';
export * from './errors';
export { ConsoleBrokerLogger, silentLogger } from './logging/broker-logger';
export type {
  BrokerLogger,
  LogFields,
  LogLevel,
} from './logging/broker-logger';
export { maskConnectionString } from './logging/mask-connection-string';
export { FileOffsetStorage } from './offsets/file-offset-storage';
export type { FileOffsetStorageOptions } from './offsets/file-offset-storage';
export { MongoOffsetStorage } from './offsets/mongo-offset-storage';
export type { MongoOffsetStorageOptions } from './offsets/mongo-offset-storage';
export type {
  OffsetCommit,
  OffsetCommitOutcome,
  OffsetStorage,
  OffsetWriteOptions,
} from './offsets/offset-storage';
export type {
  LastMessage,
  PartitionPosition,
  ReplayPosition,
  TokenPosition,
} from './offsets/position';
export type {
  MessageHeaders,
  ProducerMessage,
  RecordMetadata,
  SendOptions,
} from './producer/message-types';
export { partitionForKey } from './producer/partitioner';
export { ChangeStreamProducer } from './producer/producer';
export type { ProducerConfig } from './producer/producer';
export { InternalCollections } from './topics/internal-collections';
export type { TopicConfig, TopicMetadata } from './topics/topic-metadata';
export { validateTopicName } from './topics/topic-name';
