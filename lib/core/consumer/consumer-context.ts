import type {
  Collection,
  Db,
  MongoClient,
  WriteConcernSettings,
} from 'mongodb';
import type { GroupMember } from '../group/group-member';
import type { ServerClock } from '../group/server-clock';
import type { BrokerLogger } from '../logging/broker-logger';
import type { OffsetStorage } from '../offsets/offset-storage';
import type { TopicMessageDocument } from '../producer/message-types';
import type {
  ChangeStreamProducer,
  ProducerConfig,
} from '../producer/producer';
import type { StreamSlots } from '../stream/stream-slots';
import type { TopicMetadata } from '../topics/topic-metadata';

/** What a consumer needs from its broker. */
export interface ConsumerContext {
  client: MongoClient;
  db: Db;
  collection: Collection<TopicMessageDocument>;
  metadata: TopicMetadata;
  storage: OffsetStorage;
  clock: ServerClock;
  slots: StreamSlots;
  logger: BrokerLogger;
  writeConcern: WriteConcernSettings;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  maxRetries: number;
  clientId: string;
  assertConnected(operation: string): void;
  createProducer(config: ProducerConfig): Promise<ChangeStreamProducer>;
  /** Subscribes a member to membership changes; returns the unsubscribe. */
  watchMembership(member: GroupMember): () => void;
  /** Called once the consumer disconnected. */
  onClosed(consumer: object): void;
}
