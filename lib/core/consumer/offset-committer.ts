import { Mutex, MutexInterface } from 'async-mutex';
import { BSON, ClientSession } from 'mongodb';
import { OffsetFencedError } from '../errors';
import type { BrokerLogger } from '../logging/broker-logger';
import type { OffsetCommit, OffsetStorage } from '../offsets/offset-storage';
import type { LastMessage, PartitionPosition } from '../offsets/position';
import type { RecordTicket, TopicReader } from '../stream/topic-reader';

/** Options of an {@link OffsetCommitter}. */
export interface OffsetCommitterOptions {
  storage: OffsetStorage;
  groupId: string;
  topic: string;
  memberId: string;
  logger: BrokerLogger;
  reader: TopicReader;
  generationOf(partition: number): number | undefined;
  incarnation(): string | undefined;
  onFenced(partitions: number[]): void;
  onCommitted(partitions: number[]): void;
}

function positionKey(position: PartitionPosition): string {
  return BSON.EJSON.stringify(position, { relaxed: false });
}

/**
 * Writes the positions the reader computes to the offset storage. Each
 * partition has a lock, held while a position is computed and written, so
 * a periodic commit can never overwrite a newer position written by a
 * transactional handler with an older one.
 */
export class OffsetCommitter {
  private readonly locks = new Map<number, Mutex>();
  private readonly committed = new Map<number, string>();

  constructor(private readonly options: OffsetCommitterOptions) {}

  /** Acquires a partition's commit lock. */
  lock(partition: number): Promise<MutexInterface.Releaser> {
    let mutex = this.locks.get(partition);
    if (!mutex) {
      mutex = new Mutex();
      this.locks.set(partition, mutex);
    }
    return mutex.acquire();
  }

  /** Builds the stored form of a position. */
  buildCommit(
    partition: number,
    position: PartitionPosition,
    lastMessage: LastMessage | undefined,
    generation = this.options.generationOf(partition),
  ): OffsetCommit {
    return {
      groupId: this.options.groupId,
      topic: this.options.topic,
      partition,
      offset: position.kind === 'token' ? position.token : null,
      position,
      generation,
      lastMessage,
      incarnation: this.options.incarnation(),
      memberId: this.options.memberId,
    };
  }

  /**
   * Commits the current position of each partition whose position changed
   * since its last commit. Fenced partitions are reported to `onFenced`.
   */
  async commit(partitions: number[]): Promise<void> {
    const sorted = [...new Set(partitions)].sort((a, b) => a - b);
    const releases: MutexInterface.Releaser[] = [];
    try {
      for (const partition of sorted) {
        releases.push(await this.lock(partition));
      }
      const pending: Array<{ commit: OffsetCommit; key: string }> = [];
      for (const partition of sorted) {
        const position = this.options.reader.position(partition);
        // Without a generation the partition is no longer owned here, and
        // an unfenced write could overwrite the new owner's offset.
        if (!position || this.options.generationOf(partition) === undefined) {
          continue;
        }
        const key = positionKey(position);
        if (this.committed.get(partition) === key) {
          continue;
        }
        pending.push({
          commit: this.buildCommit(
            partition,
            position,
            this.options.reader.lastMessage(partition),
          ),
          key,
        });
      }
      if (pending.length === 0) {
        return;
      }

      const outcomes = await this.options.storage.commitOffsets(
        pending.map(({ commit }) => commit),
      );
      const fenced: number[] = [];
      const written: number[] = [];
      outcomes.forEach((outcome, index) => {
        const { commit, key } = pending[index];
        if (outcome === 'fenced') {
          fenced.push(commit.partition);
        } else {
          this.committed.set(commit.partition, key);
          written.push(commit.partition);
        }
      });
      if (written.length > 0) {
        this.options.onCommitted(written);
      }
      if (fenced.length > 0) {
        this.options.onFenced(fenced);
      }
    } finally {
      releases.forEach((release) => release());
    }
  }

  /**
   * Writes, inside the caller's transaction, the position that holds once
   * `ticket` is finished. The caller holds the partition's lock until the
   * transaction committed.
   */
  async commitInTransaction(
    ticket: RecordTicket,
    session: ClientSession,
  ): Promise<string | undefined> {
    const generation = this.options.generationOf(ticket.partition);
    if (generation === undefined) {
      throw new OffsetFencedError(
        {
          groupId: this.options.groupId,
          topic: this.options.topic,
          partition: ticket.partition,
        },
        0,
      );
    }
    const position = ticket.positionAfter();
    if (!position) {
      return undefined;
    }
    const commit = this.buildCommit(ticket.partition, position, {
      id: ticket.messageId,
      timestamp: ticket.timestamp,
    });
    await this.options.storage.commitOffset(commit, { session });
    return positionKey(position);
  }

  /** Records that a transaction wrote a position. */
  markCommitted(partition: number, key: string): void {
    this.committed.set(partition, key);
  }

  /**
   * Whether the stored position of a partition is `key`; used after a
   * transaction commit whose outcome the driver could not tell.
   */
  async isStored(partition: number, key: string): Promise<boolean> {
    const stored = await this.options.storage.getCommit(
      this.options.groupId,
      this.options.topic,
      partition,
    );
    return (
      stored?.position !== undefined && positionKey(stored.position) === key
    );
  }

  /**
   * Writes explicit positions (a new group's start, a seek). Rejects with
   * `OffsetFencedError` when a newer owner fenced one of them.
   */
  async commitPositions(
    entries: Array<{
      partition: number;
      position: PartitionPosition;
      lastMessage?: LastMessage;
      generation: number | undefined;
    }>,
  ): Promise<void> {
    const sorted = [...entries].sort((a, b) => a.partition - b.partition);
    const releases: MutexInterface.Releaser[] = [];
    try {
      for (const entry of sorted) {
        releases.push(await this.lock(entry.partition));
      }
      const commits = sorted.map((entry) =>
        this.buildCommit(
          entry.partition,
          entry.position,
          entry.lastMessage,
          entry.generation,
        ),
      );
      const outcomes = await this.options.storage.commitOffsets(commits);
      const fenced = sorted.filter((_, index) => outcomes[index] === 'fenced');
      sorted.forEach((entry, index) => {
        if (outcomes[index] === 'committed') {
          this.committed.set(entry.partition, positionKey(entry.position));
        }
      });
      if (fenced.length > 0) {
        throw new OffsetFencedError(
          {
            groupId: this.options.groupId,
            topic: this.options.topic,
            partition: fenced[0].partition,
          },
          fenced[0].generation ?? 0,
        );
      }
    } finally {
      releases.forEach((release) => release());
    }
  }

  /** Forgets what was committed for a partition that left this member. */
  forget(partition: number): void {
    this.committed.delete(partition);
  }
}
