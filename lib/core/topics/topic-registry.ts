import type { Db, WriteConcernSettings } from 'mongodb';
import { MongoServerError } from 'mongodb';
import { requireInteger } from '../config/validate';
import { MAX_PARTITIONS } from '../config/broker-config';
import {
  ConfigurationError,
  PartitionMismatchError,
  TopicNotFoundError,
} from '../errors';
import type { BrokerLogger } from '../logging/broker-logger';
import { InternalCollections } from './internal-collections';
import type {
  TopicConfig,
  TopicMetadata,
  TopicRegistryDocument,
} from './topic-metadata';
import { validateTopicName } from './topic-name';

/** Server error code for "collection already exists". */
const NAMESPACE_EXISTS = 48;
const DUPLICATE_KEY = 11000;

/** Options of {@link TopicRegistry.ensureTopic}. */
export interface EnsureTopicOptions {
  /** Partition count the caller expects; checked against the topic. */
  partitions?: number;
  /** Create the topic when it is missing. */
  autoCreate: boolean;
  /** Partition count for an auto-created topic without `partitions`. */
  defaultPartitions: number;
}

function toMetadata(document: TopicRegistryDocument): TopicMetadata {
  return {
    name: document._id,
    partitions: document.partitions,
    retentionMs: document.retentionMs ?? undefined,
    createdAt: document.createdAt,
  };
}

/**
 * Creates topics and reads their metadata. A topic is a collection named
 * after it plus a registry document that fixes its partition count.
 */
export class TopicRegistry {
  private readonly cache = new Map<string, TopicMetadata>();

  constructor(
    private readonly db: Db,
    private readonly writeConcern: WriteConcernSettings,
    private readonly logger: BrokerLogger,
  ) {}

  private get registry() {
    return this.db.collection<TopicRegistryDocument>(
      InternalCollections.topics,
    );
  }

  /** Validates a topic configuration without touching the database. */
  validate(
    config: TopicConfig,
  ): Required<Omit<TopicConfig, 'retentionMs'>> &
    Pick<TopicConfig, 'retentionMs'> {
    if (typeof config !== 'object' || config === null) {
      throw new ConfigurationError(
        'Invalid topic configuration: expected { name, partitions? }.',
      );
    }
    const name = validateTopicName(config.name, this.db.databaseName);
    const partitions = requireInteger(
      `partitions of topic "${name}"`,
      config.partitions ?? 1,
      1,
      MAX_PARTITIONS,
    );
    const retentionMs =
      config.retentionMs === undefined
        ? undefined
        : requireInteger(
            `retentionMs of topic "${name}"`,
            config.retentionMs,
            1_000,
          );
    return { name, partitions, retentionMs };
  }

  /**
   * Creates a topic, or checks that an existing one matches. Idempotent:
   * creating an existing topic with the same partition count returns it.
   * A new `retentionMs` replaces the old one.
   */
  async createTopic(config: TopicConfig): Promise<TopicMetadata> {
    const { name, partitions, retentionMs } = this.validate(config);

    const now = new Date();
    const stored = await this.upsertRegistryEntry(name, {
      partitions,
      createdAt: now,
      ...(retentionMs === undefined ? {} : { retentionMs }),
    });
    if (stored.partitions !== partitions) {
      throw new PartitionMismatchError(name, partitions, stored.partitions);
    }
    if (stored.createdAt.getTime() === now.getTime()) {
      this.logger.info('Created topic', { topic: name, partitions });
    }

    await this.ensureCollection(name);
    if (retentionMs !== stored.retentionMs && retentionMs !== undefined) {
      await this.registry.updateOne(
        { _id: name },
        { $set: { retentionMs } },
        { writeConcern: this.writeConcern },
      );
      stored.retentionMs = retentionMs;
    }
    await this.ensureRetentionIndex(name, stored.retentionMs);

    const metadata = toMetadata(stored);
    this.cache.set(name, metadata);
    return metadata;
  }

  /**
   * Inserts the registry entry unless it exists and returns the stored one.
   * Two processes may create a topic at once: the loser of the upsert race
   * gets a duplicate-key error (or no document back), so it reads the
   * winner's entry instead.
   */
  private async upsertRegistryEntry(
    name: string,
    entry: Omit<TopicRegistryDocument, '_id'>,
  ): Promise<TopicRegistryDocument> {
    try {
      const stored = await this.registry.findOneAndUpdate(
        { _id: name },
        { $setOnInsert: entry },
        {
          upsert: true,
          returnDocument: 'after',
          writeConcern: this.writeConcern,
        },
      );
      if (stored) {
        return stored;
      }
    } catch (error) {
      if (!(
        error instanceof MongoServerError && error.code === DUPLICATE_KEY
      )) {
        throw error;
      }
    }
    const existing = await this.registry.findOne({ _id: name });
    if (!existing) {
      throw new TopicNotFoundError(name);
    }
    return existing;
  }

  /**
   * Returns a topic's metadata, creating the topic when it is missing and
   * `autoCreate` is set. Throws when the partition count differs from
   * `options.partitions`.
   */
  async ensureTopic(
    topic: string,
    options: EnsureTopicOptions,
  ): Promise<TopicMetadata> {
    const name = validateTopicName(topic, this.db.databaseName);
    let metadata = this.cache.get(name) ?? (await this.describeTopic(name));
    if (!metadata) {
      if (!options.autoCreate) {
        throw new TopicNotFoundError(name);
      }
      metadata = await this.createTopic({
        name,
        partitions: options.partitions ?? options.defaultPartitions,
      });
    }
    if (
      options.partitions !== undefined &&
      options.partitions !== metadata.partitions
    ) {
      throw new PartitionMismatchError(
        name,
        options.partitions,
        metadata.partitions,
      );
    }
    return metadata;
  }

  /** Reads a topic's metadata; `undefined` when the topic does not exist. */
  async describeTopic(topic: string): Promise<TopicMetadata | undefined> {
    const document = await this.registry.findOne({ _id: topic });
    if (!document) {
      return undefined;
    }
    const metadata = toMetadata(document);
    this.cache.set(topic, metadata);
    return metadata;
  }

  /** Lists every registered topic. */
  async listTopics(): Promise<TopicMetadata[]> {
    const documents = await this.registry.find().sort({ _id: 1 }).toArray();
    return documents.map(toMetadata);
  }

  /**
   * Deletes a topic: its collection, its registry entry, and the offsets
   * and ownership records of every group that read it.
   */
  async deleteTopic(topic: string): Promise<void> {
    const name = validateTopicName(topic, this.db.databaseName);
    await this.db
      .collection(name)
      .drop()
      .catch((error: unknown) => {
        if (!(error instanceof MongoServerError && error.code === 26)) {
          throw error;
        }
      });
    const options = { writeConcern: this.writeConcern };
    await this.registry.deleteOne({ _id: name }, options);
    await this.db
      .collection(InternalCollections.partitions)
      .deleteMany({ topic: name }, options);
    await this.db
      .collection(InternalCollections.offsets)
      .deleteMany({ topic: name }, options);
    this.cache.delete(name);
    this.logger.info('Deleted topic', { topic: name });
  }

  /**
   * Creates the topic collection when missing. It gets no index besides
   * `_id`: replays and lag figures read in `_id` order, and a secondary
   * index would slow down every insert.
   */
  async ensureCollection(topic: string): Promise<void> {
    try {
      await this.db.createCollection(topic, {
        writeConcern: this.writeConcern,
      });
    } catch (error) {
      if (!(
        error instanceof MongoServerError && error.code === NAMESPACE_EXISTS
      )) {
        throw error;
      }
    }
  }

  private async ensureRetentionIndex(
    topic: string,
    retentionMs: number | undefined,
  ): Promise<void> {
    if (retentionMs === undefined) {
      return;
    }
    const expireAfterSeconds = Math.ceil(retentionMs / 1000);
    const collection = this.db.collection(topic);
    const indexes = await collection.indexes();
    const existing = indexes.find((index) => index.name === 'retention');
    if (!existing) {
      await collection.createIndex(
        { timestamp: 1 },
        { name: 'retention', expireAfterSeconds },
      );
      return;
    }
    if (existing.expireAfterSeconds !== expireAfterSeconds) {
      await this.db.command({
        collMod: topic,
        index: { name: 'retention', expireAfterSeconds },
      });
    }
  }
}
