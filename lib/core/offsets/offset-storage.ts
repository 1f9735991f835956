import type { ClientSession, ResumeToken } from 'mongodb';
import type { LastMessage, PartitionPosition } from './position';

/** One stored offset: where a group continues on one topic partition. */
export interface OffsetCommit {
  groupId: string;
  topic: string;
  partition: number;
  /**
   * Resume token to continue after, or `null` while the partition replays
   * retained messages from the topic collection (see `position`).
   */
  offset: ResumeToken | null;
  /** Full position; `offset` alone cannot express every case. */
  position?: PartitionPosition;
  /**
   * Ownership generation of the member that committed. A commit whose
   * generation is lower than the stored one is rejected (fencing).
   */
  generation?: number;
  /** Last message the group processed on this partition. */
  lastMessage?: LastMessage;
  /** UUID of the topic collection the position belongs to. */
  incarnation?: string;
  /** Member that committed. */
  memberId?: string;
  /** When the commit was written. */
  committedAt?: Date;
}

/** Options of a commit. */
export interface OffsetWriteOptions {
  /** Write inside this session's transaction (Mongo storage only). */
  session?: ClientSession;
}

/** Result of one commit in a batch. */
export type OffsetCommitOutcome = 'committed' | 'fenced';

/**
 * Where consumer groups keep their offsets. The broker uses
 * {@link MongoOffsetStorage} unless configured otherwise.
 *
 * Fencing contract: a commit whose `generation` is lower than the stored
 * generation (raised by a commit or by `fence`) must not be written.
 */
export interface OffsetStorage {
  /**
   * Whether `commitOffset` can join a transaction of the broker's client,
   * which transactional handlers need.
   */
  readonly supportsTransactions: boolean;

  /** Stores one commit; rejects with `OffsetFencedError` when fenced. */
  commitOffset(
    commit: OffsetCommit,
    options?: OffsetWriteOptions,
  ): Promise<void>;

  /** Stores several commits and reports which ones were fenced. */
  commitOffsets(commits: OffsetCommit[]): Promise<OffsetCommitOutcome[]>;

  /** Returns the stored resume token, or `null` when there is none. */
  getOffset(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<ResumeToken | null>;

  /** Returns the whole stored commit, or `null`. */
  getCommit(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<OffsetCommit | null>;

  /**
   * Raises the stored generation to `generation` (never lowers it), so the
   * previous owner can no longer commit, and returns the stored commit.
   */
  fence(
    groupId: string,
    topic: string,
    partition: number,
    generation: number,
  ): Promise<OffsetCommit | null>;

  /** Lists the commits of a group, optionally for one topic. */
  listCommits(groupId: string, topic?: string): Promise<OffsetCommit[]>;

  /** Deletes commits of a group on a topic (all partitions when omitted). */
  deleteCommits(
    groupId: string,
    topic: string,
    partitions?: number[],
  ): Promise<void>;
}
