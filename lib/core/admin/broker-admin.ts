import { Db, ObjectId } from 'mongodb';
import { requireNonEmptyString } from '../config/validate';
import {
  ConfigurationError,
  GroupActiveError,
  TopicNotFoundError,
} from '../errors';
import type {
  MemberDocument,
  OwnershipDocument,
} from '../group/group-documents';
import type { ServerClock } from '../group/server-clock';
import type { BrokerLogger } from '../logging/broker-logger';
import type { OffsetCommit, OffsetStorage } from '../offsets/offset-storage';
import type { LastMessage, PartitionPosition } from '../offsets/position';
import type { TopicMessageDocument } from '../producer/message-types';
import { InternalCollections } from '../topics/internal-collections';
import type { TopicMetadata } from '../topics/topic-metadata';
import { validateTopicName } from '../topics/topic-name';
import type { TopicRegistry } from '../topics/topic-registry';
import { positionAt, validateOffsetTarget } from '../offsets/offset-target';
import { validatePartition } from '../topics/partition-number';

/** A live member of a group. */
export interface GroupMemberDescription {
  memberId: string;
  host: string;
  pid: number;
  joinedAt: Date;
  heartbeatAt: Date;
}

/** State of one partition for one group. */
export interface GroupPartitionDescription {
  partition: number;
  /** Member that owns the partition, or null. */
  owner: string | null;
  generation: number;
  position?: PartitionPosition;
  committedAt?: Date;
  lastMessage?: LastMessage;
  /**
   * Messages the topic still retains after the committed position (an
   * estimate when the position is a resume token without a last message).
   */
  lag?: number;
  /** Producer time of the oldest message the partition retains. */
  oldestRetained?: Date;
  /**
   * The oldest retained message is newer than the last processed one:
   * with a retention period, messages in between may have expired before
   * this group read them.
   */
  retentionGap: boolean;
}

/** What {@link BrokerAdmin.describeGroup} returns. */
export interface GroupDescription {
  groupId: string;
  topic: string;
  members: GroupMemberDescription[];
  partitions: GroupPartitionDescription[];
}

/** Options of {@link BrokerAdmin.resetOffsets}. */
export interface ResetOffsetsOptions {
  groupId: string;
  topic: string;
  /** The earliest retained message, now, or a producer time (seconds). */
  to: 'earliest' | 'latest' | Date;
  /** Partitions to reset; all when omitted. */
  partitions?: number[];
}

/** What the admin API needs from its broker. */
export interface BrokerAdminContext {
  db: Db;
  topics: TopicRegistry;
  storage: OffsetStorage;
  clock: ServerClock;
  sessionTimeoutMs: number;
  logger: BrokerLogger;
}

/** Describes consumer groups and moves their offsets. */
export class BrokerAdmin {
  constructor(private readonly context: BrokerAdminContext) {}

  /** Lists the live members of a group on a topic. */
  async liveMembers(
    groupId: string,
    topic: string,
  ): Promise<GroupMemberDescription[]> {
    requireNonEmptyString('groupId', groupId);
    requireNonEmptyString('topic', topic);
    await this.context.clock.sync();
    const liveSince = new Date(
      this.context.clock.now() - this.context.sessionTimeoutMs,
    );
    const members = await this.context.db
      .collection<MemberDocument>(InternalCollections.members)
      .find({ group: groupId, topic, heartbeatAt: { $gte: liveSince } })
      .sort({ _id: 1 })
      .toArray();
    return members.map((member) => ({
      memberId: member._id,
      host: member.host,
      pid: member.pid,
      joinedAt: member.joinedAt,
      heartbeatAt: member.heartbeatAt,
    }));
  }

  /**
   * Reports members, owners, committed positions and lag of a group.
   * Throws {@link TopicNotFoundError} when the topic does not exist.
   */
  async describeGroup(
    groupId: string,
    topic: string,
  ): Promise<GroupDescription> {
    requireNonEmptyString('groupId', groupId);
    const metadata = await this.requireTopic(topic);
    const partitionCount = metadata.partitions;
    const members = await this.liveMembers(groupId, topic);
    const ownership = await this.context.db
      .collection<OwnershipDocument>(InternalCollections.partitions)
      .find({ group: groupId, topic })
      .toArray();
    const commits = await this.context.storage.listCommits(groupId, topic);

    const partitions: GroupPartitionDescription[] = [];
    for (let partition = 0; partition < partitionCount; partition += 1) {
      const owner = ownership.find(
        (document) => document.partition === partition,
      );
      const commit = commits.find(
        (candidate) => candidate.partition === partition,
      );
      partitions.push({
        partition,
        owner: owner?.owner ?? null,
        generation: owner?.generation ?? 0,
        position: commit?.position,
        committedAt: commit?.committedAt,
        lastMessage: commit?.lastMessage,
        ...(await this.measureLag(
          topic,
          partition,
          commit,
          metadata.retentionMs,
        )),
      });
    }
    return { groupId, topic, members, partitions };
  }

  /**
   * Moves the offsets of a group that has no live member on the topic.
   * Running groups move with `consumer.seek()` instead. Every argument is
   * checked before anything is written.
   */
  async resetOffsets(options: ResetOffsetsOptions): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError(
        'Missing resetOffsets options: expected { groupId, topic, to }.',
      );
    }
    const groupId = requireNonEmptyString('groupId', options.groupId);
    const to = validateOffsetTarget('reset target "to"', options.to);
    const metadata = await this.requireTopic(options.topic);
    const topic = metadata.name;
    const partitions = this.selectPartitions(metadata, options.partitions);

    const members = await this.liveMembers(groupId, topic);
    if (members.length > 0) {
      throw new GroupActiveError(
        groupId,
        members.map((member) => member.memberId),
      );
    }
    const collection = this.context.db.collection<TopicMessageDocument>(topic);
    const position = await positionAt(to, collection);
    const existing = await this.context.storage.listCommits(groupId, topic);
    await this.context.storage.commitOffsets(
      partitions.map((partition) => ({
        groupId,
        topic,
        partition,
        offset: position.kind === 'token' ? position.token : null,
        position,
        generation: existing.find((commit) => commit.partition === partition)
          ?.generation,
      })),
    );
    this.context.logger.info('Reset offsets', {
      groupId,
      topic,
      partitions,
      to: to instanceof Date ? to.toISOString() : to,
    });
  }

  /**
   * Validates the topic name and reads its metadata. Admin calls never
   * create topics, so a missing one is an error.
   */
  private async requireTopic(topic: unknown): Promise<TopicMetadata> {
    const name = validateTopicName(
      requireNonEmptyString('topic', topic),
      this.context.db.databaseName,
    );
    const metadata = await this.context.topics.describeTopic(name);
    if (!metadata) {
      throw new TopicNotFoundError(
        name,
        'Check the name against broker.listTopics(), or create the topic ' +
          'with broker.createTopic().',
      );
    }
    return metadata;
  }

  /** Returns the requested partitions after validating them, or all. */
  private selectPartitions(
    metadata: TopicMetadata,
    requested: unknown,
  ): number[] {
    if (requested === undefined) {
      return Array.from(
        { length: metadata.partitions },
        (_, partition) => partition,
      );
    }
    if (!Array.isArray(requested) || requested.length === 0) {
      throw new ConfigurationError(
        `Invalid partitions for topic "${metadata.name}": expected a ` +
          'non-empty array of partition numbers. Omit partitions to reset ' +
          'every partition.',
      );
    }
    return requested.map((partition: unknown) =>
      validatePartition(metadata.name, partition, metadata.partitions),
    );
  }

  private async measureLag(
    topic: string,
    partition: number,
    commit: OffsetCommit | undefined,
    retentionMs: number | undefined,
  ): Promise<
    Pick<GroupPartitionDescription, 'lag' | 'oldestRetained' | 'retentionGap'>
  > {
    const collection = this.context.db.collection<TopicMessageDocument>(topic);
    const oldest = await collection.findOne(
      { partition },
      { sort: { _id: 1 }, projection: { _id: 1, timestamp: 1 } },
    );
    const position = commit?.position;
    const afterId =
      commit?.lastMessage?.id ??
      (position?.kind === 'replay' ? position.afterId : undefined);

    let lag: number | undefined;
    if (afterId !== undefined) {
      lag = await collection.countDocuments({
        partition,
        _id: { $gt: new ObjectId(afterId) },
      });
    } else if (position?.kind === 'replay') {
      lag = await collection.countDocuments({ partition });
    } else if (commit?.committedAt) {
      lag = await collection.countDocuments({
        partition,
        timestamp: { $gt: commit.committedAt },
      });
    }
    const retentionGap =
      retentionMs !== undefined &&
      oldest !== null &&
      commit?.lastMessage !== undefined &&
      oldest._id.toHexString() > commit.lastMessage.id;
    return { lag, oldestRetained: oldest?.timestamp, retentionGap };
  }
}
