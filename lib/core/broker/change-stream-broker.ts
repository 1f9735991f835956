import { Collection, Db, MongoClient } from 'mongodb';
import {
  ChangeStreamBrokerConfig,
  resolveBrokerConfig,
  ResolvedBrokerConfig,
} from '../config/broker-config';
import { BrokerAdmin } from '../admin/broker-admin';
import { ChangeStreamConsumer } from '../consumer/consumer';
import type { ConsumerConfig } from '../consumer/consumer-config';
import { ConfigurationError, NotConnectedError } from '../errors';
import { MembershipWatcher } from '../group/membership-watcher';
import { ServerClock } from '../group/server-clock';
import { withContext, type BrokerLogger } from '../logging/broker-logger';
import { MongoOffsetStorage } from '../offsets/mongo-offset-storage';
import type { OffsetStorage } from '../offsets/offset-storage';
import type { TopicMessageDocument } from '../producer/message-types';
import { ChangeStreamProducer, ProducerConfig } from '../producer/producer';
import { StreamSlots } from '../stream/stream-slots';
import type { TopicConfig, TopicMetadata } from '../topics/topic-metadata';
import { TopicRegistry } from '../topics/topic-registry';
import { connectWithRetry } from './connect';
import { monitorConnection } from './connection-monitor';
import { ensureInternalIndexes } from './internal-indexes';

/** Room left in a change event for everything but the message, in bytes. */
export const CHANGE_EVENT_ENVELOPE_BYTES = 16 * 1024;

interface Connection {
  client: MongoClient;
  db: Db;
  topics: TopicRegistry;
  storage: OffsetStorage;
  clock: ServerClock;
  slots: StreamSlots;
  watcher: MembershipWatcher;
  maxMessageBytes: number;
}

/**
 * Entry point of the library: one broker per database, sharing one
 * `MongoClient` among its producers and consumers.
 *
 * ```ts
 * const broker = new ChangeStreamBroker({ mongoUri, database: 'events' });
 * await broker.connect();
 * const producer = await broker.createProducer({ topic: 'purchases' });
 * await producer.send({ key: 'p-1', value: { amount: 10 } });
 * ```
 */
export class ChangeStreamBroker {
  private readonly config: ResolvedBrokerConfig;
  private readonly logger: BrokerLogger;
  private connection?: Connection;
  private connecting?: Promise<void>;
  private readonly consumers = new Set<ChangeStreamConsumer>();
  private readonly producers = new Map<string, Promise<ChangeStreamProducer>>();

  constructor(config: ChangeStreamBrokerConfig) {
    this.config = resolveBrokerConfig(config);
    this.logger = withContext(this.config.logger, 'ChangeStreamBroker', {
      database: this.config.database,
    });
  }

  /** Database name of this broker. */
  get database(): string {
    return this.config.database;
  }

  /** Whether `connect()` succeeded and `disconnect()` was not called since. */
  isConnected(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Connects to the server, retrying `maxRetries` times with backoff; each
   * attempt waits at most `connectTimeoutMs`. Throws `ConnectionFailedError`
   * (with the password masked) when every attempt failed, and
   * `ConfigurationError` when the server cannot run change streams.
   */
  connect(): Promise<void> {
    if (this.connection) {
      return Promise.resolve();
    }
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Stops every consumer gracefully, then closes the client. */
  async disconnect(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const connection = this.connection;
    if (!connection) {
      return;
    }
    await Promise.all(
      [...this.consumers].map((consumer) => consumer.disconnect()),
    );
    await connection.watcher.stop();
    this.connection = undefined;
    this.producers.clear();
    await connection.client.close();
    this.logger.info('Disconnected', { uri: this.config.maskedUri });
  }

  /** The shared client, for the application's own reads and writes. */
  getClient(): MongoClient {
    return this.require('use the client').client;
  }

  /** The broker's database. */
  getDatabase(): Db {
    return this.require('use the database').db;
  }

  /** Creates a topic (idempotent for the same partition count). */
  async createTopic(config: TopicConfig | string): Promise<TopicMetadata> {
    const topics = this.require('create a topic').topics;
    return topics.createTopic(
      typeof config === 'string' ? { name: config } : config,
    );
  }

  /** Deletes a topic with its messages and every group's offsets on it. */
  async deleteTopic(name: string): Promise<void> {
    await this.require('delete a topic').topics.deleteTopic(name);
  }

  /** Lists the registered topics. */
  listTopics(): Promise<TopicMetadata[]> {
    return this.require('list topics').topics.listTopics();
  }

  /** Reads one topic's metadata. */
  describeTopic(name: string): Promise<TopicMetadata | undefined> {
    return this.require('describe a topic').topics.describeTopic(name);
  }

  /** Creates a producer for one topic, creating the topic if allowed. */
  async createProducer(config: ProducerConfig): Promise<ChangeStreamProducer> {
    const connection = this.require('create a producer');
    const metadata = await this.topicFor(connection, config, '{ topic }');
    return new ChangeStreamProducer(
      {
        collection: this.topicCollection(connection, metadata.name),
        writeConcern: this.config.writeConcern,
        maxMessageBytes: connection.maxMessageBytes,
        assertConnected: (operation) => void this.require(operation),
      },
      metadata,
    );
  }

  /** Creates a consumer (a member of `groupId` reading `topic`). */
  async createConsumer(config: ConsumerConfig): Promise<ChangeStreamConsumer> {
    const connection = this.require('create a consumer');
    const metadata = await this.topicFor(
      connection,
      config,
      '{ groupId, topic }',
    );
    const consumer: ChangeStreamConsumer = new ChangeStreamConsumer(
      {
        client: connection.client,
        db: connection.db,
        collection: this.topicCollection(connection, metadata.name),
        metadata,
        storage: connection.storage,
        clock: connection.clock,
        slots: connection.slots,
        logger: this.config.logger,
        writeConcern: this.config.writeConcern,
        retryDelayMs: this.config.retryDelayMs,
        maxRetryDelayMs: this.config.maxRetryDelayMs,
        maxRetries: this.config.maxRetries,
        clientId: this.config.clientId,
        assertConnected: (operation) => void this.require(operation),
        createProducer: (producerConfig) => this.sharedProducer(producerConfig),
        watchMembership: (member) => connection.watcher.add(member),
        onClosed: () => this.consumers.delete(consumer),
      },
      config,
      {
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
      },
    );
    this.consumers.add(consumer);
    return consumer;
  }

  /** Administrative operations: describe groups, reset offsets. */
  admin(): BrokerAdmin {
    const connection = this.require('use the admin API');
    return new BrokerAdmin({
      db: connection.db,
      topics: connection.topics,
      storage: connection.storage,
      clock: connection.clock,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      logger: this.logger,
    });
  }

  /**
   * Returns the metadata of a producer's or consumer's topic, creating the
   * topic when it is missing and the broker allows it.
   */
  private async topicFor(
    connection: Connection,
    config: { topic: string; partitions?: number },
    expected: string,
  ): Promise<TopicMetadata> {
    if (typeof config !== 'object' || config === null) {
      throw new ConfigurationError(
        `Invalid configuration: expected ${expected}, got ${String(config)}.`,
      );
    }
    return connection.topics.ensureTopic(config.topic, {
      partitions: config.partitions,
      autoCreate: this.config.autoCreateTopics,
      defaultPartitions: this.config.defaultPartitions,
    });
  }

  private sharedProducer(
    config: ProducerConfig,
  ): Promise<ChangeStreamProducer> {
    let producer = this.producers.get(config.topic);
    if (!producer) {
      producer = this.createProducer(config);
      producer.catch(() => this.producers.delete(config.topic));
      this.producers.set(config.topic, producer);
    }
    return producer;
  }

  private topicCollection(
    connection: Connection,
    topic: string,
  ): Collection<TopicMessageDocument> {
    return connection.db.collection<TopicMessageDocument>(topic);
  }

  private require(operation: string): Connection {
    if (!this.connection) {
      throw new NotConnectedError(operation);
    }
    return this.connection;
  }

  private async open(): Promise<void> {
    const config = this.config;
    const { client, hello } = await connectWithRetry(config, this.logger);
    try {
      if (!hello.setName && hello.msg !== 'isdbgrid') {
        throw new ConfigurationError(
          `The server at ${config.maskedUri} is a standalone server; change ` +
            'streams need a replica set or a sharded cluster. Start mongod ' +
            'with --replSet (a one-node replica set is enough).',
        );
      }
      const serverLimit =
        typeof hello.maxBsonObjectSize === 'number'
          ? hello.maxBsonObjectSize
          : 16 * 1024 * 1024;
      const maxMessageBytes = serverLimit - CHANGE_EVENT_ENVELOPE_BYTES;
      if (
        config.maxMessageBytes !== undefined &&
        config.maxMessageBytes > maxMessageBytes
      ) {
        throw new ConfigurationError(
          `Invalid maxMessageBytes: ${config.maxMessageBytes} is over the ` +
            `server's limit for a message of ${maxMessageBytes} bytes ` +
            `(${serverLimit} bytes per change event minus ` +
            `${CHANGE_EVENT_ENVELOPE_BYTES} for the event envelope).`,
        );
      }

      monitorConnection(client, this.logger);
      const db = client.db(config.database);
      await ensureInternalIndexes(db);
      const slots = new StreamSlots(
        config.maxPoolSize - config.reservedConnections,
      );
      this.connection = {
        client,
        db,
        topics: new TopicRegistry(
          db,
          config.writeConcern,
          withContext(config.logger, 'TopicRegistry'),
        ),
        storage:
          config.offsetStorage ??
          new MongoOffsetStorage(db, { writeConcern: config.writeConcern }),
        clock: new ServerClock(db),
        slots,
        watcher: new MembershipWatcher(
          db,
          slots,
          withContext(config.logger, 'MembershipWatcher'),
          {
            initialDelayMs: config.retryDelayMs,
            maxDelayMs: config.maxRetryDelayMs,
          },
        ),
        maxMessageBytes: config.maxMessageBytes ?? maxMessageBytes,
      };
      this.logger.info('Connected', {
        uri: config.maskedUri,
        streamConnections: slots.capacity,
      });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  }
}
