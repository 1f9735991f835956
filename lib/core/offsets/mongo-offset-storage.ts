import {
  AnyBulkWriteOperation,
  Collection,
  Db,
  MongoBulkWriteError,
  MongoServerError,
  ResumeToken,
  WriteConcernSettings,
} from 'mongodb';
import { OffsetFencedError } from '../errors';
import { InternalCollections } from '../topics/internal-collections';
import type {
  OffsetCommit,
  OffsetCommitOutcome,
  OffsetStorage,
  OffsetWriteOptions,
} from './offset-storage';

const DUPLICATE_KEY = 11000;

interface OffsetKey {
  g: string;
  t: string;
  p: number;
}

interface OffsetDocument extends Omit<OffsetCommit, 'committedAt'> {
  _id: OffsetKey;
  committedAt?: Date;
}

/** Options of {@link MongoOffsetStorage}. */
export interface MongoOffsetStorageOptions {
  /** Collection name. @default '__csb_offsets' */
  collection?: string;
  /** Write concern outside transactions. @default { w: 'majority' } */
  writeConcern?: WriteConcernSettings;
}

function keyOf(groupId: string, topic: string, partition: number): OffsetKey {
  return { g: groupId, t: topic, p: partition };
}

function toCommit(document: OffsetDocument): OffsetCommit {
  const { _id: _key, ...commit } = document;
  return { ...commit, offset: commit.offset ?? null };
}

/** Optional fields that a commit replaces, or clears when it lacks them. */
const CLEARED_WHEN_MISSING = ['lastMessage', 'incarnation'] as const;

function unsetMissing(commit: OffsetCommit): { $unset?: Record<string, ''> } {
  const missing = CLEARED_WHEN_MISSING.filter(
    (field) => commit[field] === undefined,
  );
  return missing.length === 0
    ? {}
    : { $unset: Object.fromEntries(missing.map((field) => [field, ''])) };
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/**
 * Keeps offsets in a MongoDB collection, one document per group, topic and
 * partition. Commits can join a transaction of the same client, which is
 * what transactional handlers use for exactly-once effects.
 */
export class MongoOffsetStorage implements OffsetStorage {
  readonly supportsTransactions = true;
  private readonly collection: Collection<OffsetDocument>;
  private readonly writeConcern: WriteConcernSettings;
  private indexReady?: Promise<unknown>;

  constructor(db: Db, options: MongoOffsetStorageOptions = {}) {
    this.collection = db.collection<OffsetDocument>(
      options.collection ?? InternalCollections.offsets,
    );
    this.writeConcern = options.writeConcern ?? { w: 'majority' };
  }

  /** The client whose sessions `commitOffset` accepts. */
  get client() {
    return this.collection.db.client;
  }

  async commitOffset(
    commit: OffsetCommit,
    options: OffsetWriteOptions = {},
  ): Promise<void> {
    const { filter, update } = this.buildUpdate(commit);
    const session = options.session;
    try {
      await this.collection.updateOne(filter, update, {
        upsert: true,
        session,
        ...(session?.inTransaction()
          ? {}
          : { writeConcern: this.writeConcern }),
      });
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new OffsetFencedError(commit, commit.generation ?? 0);
      }
      throw error;
    }
  }

  async commitOffsets(commits: OffsetCommit[]): Promise<OffsetCommitOutcome[]> {
    if (commits.length === 0) {
      return [];
    }
    const operations: AnyBulkWriteOperation<OffsetDocument>[] = commits.map(
      (commit) => {
        const { filter, update } = this.buildUpdate(commit);
        return { updateOne: { filter, update, upsert: true } };
      },
    );
    const outcomes: OffsetCommitOutcome[] = commits.map(() => 'committed');
    try {
      await this.collection.bulkWrite(operations, {
        ordered: false,
        writeConcern: this.writeConcern,
      });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) {
        throw error;
      }
      const writeErrors = Array.isArray(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      for (const writeError of writeErrors) {
        if (writeError.code !== DUPLICATE_KEY) {
          throw error;
        }
        outcomes[writeError.index] = 'fenced';
      }
    }
    return outcomes;
  }

  async getOffset(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<ResumeToken | null> {
    const commit = await this.getCommit(groupId, topic, partition);
    return commit?.offset ?? null;
  }

  async getCommit(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<OffsetCommit | null> {
    const document = await this.collection.findOne({
      _id: keyOf(groupId, topic, partition),
    });
    return document?.position ? toCommit(document) : null;
  }

  async fence(
    groupId: string,
    topic: string,
    partition: number,
    generation: number,
  ): Promise<OffsetCommit | null> {
    const document = await this.collection.findOneAndUpdate(
      { _id: keyOf(groupId, topic, partition) },
      {
        $max: { generation },
        $setOnInsert: { groupId, topic, partition, offset: null },
      },
      {
        upsert: true,
        returnDocument: 'after',
        writeConcern: this.writeConcern,
      },
    );
    return document?.position ? toCommit(document) : null;
  }

  async listCommits(groupId: string, topic?: string): Promise<OffsetCommit[]> {
    await this.ensureIndex();
    const documents = await this.collection
      .find({ groupId, ...(topic === undefined ? {} : { topic }) })
      .sort({ topic: 1, partition: 1 })
      .toArray();
    return documents.filter((document) => document.position).map(toCommit);
  }

  async deleteCommits(
    groupId: string,
    topic: string,
    partitions?: number[],
  ): Promise<void> {
    await this.collection.deleteMany(
      {
        groupId,
        topic,
        ...(partitions === undefined ? {} : { partition: { $in: partitions } }),
      },
      { writeConcern: this.writeConcern },
    );
  }

  private buildUpdate(commit: OffsetCommit) {
    const { committedAt: _ignored, generation, ...fields } = commit;
    const filter =
      generation === undefined
        ? { _id: keyOf(commit.groupId, commit.topic, commit.partition) }
        : {
            _id: keyOf(commit.groupId, commit.topic, commit.partition),
            $or: [
              { generation: { $lte: generation } },
              { generation: { $exists: false } },
            ],
          };
    const defined = Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined),
    );
    const update = {
      $set: {
        ...defined,
        ...(generation === undefined ? {} : { generation }),
      },
      $currentDate: { committedAt: true as const },
      // A commit without these (a reset) must not keep the old values.
      ...unsetMissing(commit),
    };
    return { filter, update };
  }

  private ensureIndex(): Promise<unknown> {
    this.indexReady ??= this.collection
      .createIndex({ groupId: 1, topic: 1, partition: 1 }, { name: 'group' })
      .catch((error: unknown) => {
        this.indexReady = undefined;
        throw error;
      });
    return this.indexReady;
  }
}
