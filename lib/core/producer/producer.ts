import type { Collection, WriteConcernSettings } from 'mongodb';
import type { TopicMetadata } from '../topics/topic-metadata';
import { buildMessageDocument, MessageTarget } from './message-document';
import type {
  ProducerMessage,
  RecordMetadata,
  SendOptions,
  TopicMessageDocument,
} from './message-types';
import { RoundRobinPartitioner } from './partitioner';

/** Options of `broker.createProducer()`. */
export interface ProducerConfig {
  /** Topic the producer writes to. */
  topic: string;
  /**
   * Partition count the producer expects. When the topic exists with
   * another count, `createProducer` throws; when it is auto-created, it
   * gets this count.
   */
  partitions?: number;
}

/** Dependencies a producer gets from its broker. */
export interface ProducerContext {
  collection: Collection<TopicMessageDocument>;
  writeConcern: WriteConcernSettings;
  maxMessageBytes: number;
  assertConnected(operation: string): void;
}

/** Appends messages to one topic. Create it with `broker.createProducer()`. */
export class ChangeStreamProducer {
  private readonly target: MessageTarget;

  constructor(
    private readonly context: ProducerContext,
    private readonly metadata: TopicMetadata,
  ) {
    this.target = {
      topic: metadata.name,
      partitions: metadata.partitions,
      maxMessageBytes: context.maxMessageBytes,
      roundRobin: new RoundRobinPartitioner(),
    };
  }

  /** Name of the topic this producer writes to. */
  getTopic(): string {
    return this.metadata.name;
  }

  /** Partition count of the topic. */
  getPartitionCount(): number {
    return this.metadata.partitions;
  }

  /**
   * Writes one message (`insertOne`) or a batch (one ordered `insertMany`),
   * and resolves once the server acknowledged it (majority write concern by
   * default).
   * When a non-transactional batch fails part way, the messages before the
   * failure are stored and will be delivered. Pass `options.session` with a
   * transaction for all or nothing. In a transaction the messages become
   * visible to consumers only when it commits.
   *
   * Invalid messages reject with a typed error before anything is written.
   */
  async send<T>(
    messages: ProducerMessage<T> | ProducerMessage<T>[],
    options: SendOptions = {},
  ): Promise<RecordMetadata[]> {
    this.context.assertConnected('send messages');
    const batch = Array.isArray(messages) ? messages : [messages];
    if (batch.length === 0) {
      return [];
    }

    // The driver rejects a session of another MongoClient by itself.
    const session = options.session;
    const timestamp = new Date();
    const documents = batch.map((message) =>
      buildMessageDocument(this.target, message, timestamp),
    );
    const inTransaction = session?.inTransaction() ?? false;
    const writeOptions = {
      session,
      // A write concern inside a transaction is an error: the
      // transaction's own write concern applies when it commits.
      ...(inTransaction ? {} : { writeConcern: this.context.writeConcern }),
    };
    if (documents.length === 1) {
      // insertOne skips the bulk-write machinery of insertMany.
      await this.context.collection.insertOne(documents[0], writeOptions);
    } else {
      await this.context.collection.insertMany(documents, {
        ...writeOptions,
        ordered: true,
      });
    }

    return documents.map((document) => ({
      topic: this.metadata.name,
      partition: document.partition,
      messageId: document._id.toHexString(),
      key: document.key,
      timestamp,
    }));
  }
}
