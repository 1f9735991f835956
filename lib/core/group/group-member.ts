import { hostname } from 'node:os';
import {
  Collection,
  Db,
  Document,
  MongoServerError,
  WriteConcernSettings,
} from 'mongodb';
import { OffsetFencedError } from '../errors';
import type { BrokerLogger } from '../logging/broker-logger';
import { InternalCollections } from '../topics/internal-collections';
import type {
  MemberDocument,
  OwnershipDocument,
  OwnershipKey,
} from './group-documents';
import { assignRanges } from './range-assignor';
import type { ServerClock } from './server-clock';

const DUPLICATE_KEY = 11000;

/** A partition this member now owns, with its ownership generation. */
export interface PartitionClaim {
  partition: number;
  generation: number;
}

/** Callbacks a member calls on its consumer when ownership changes. */
export interface GroupMemberListener {
  /** The member registered; partitions are claimed next. */
  onJoined(): void;
  /** Start reading these partitions. */
  onAssigned(claims: PartitionClaim[]): Promise<void>;
  /**
   * Hand these partitions over: finish the record in progress and commit.
   * They are released once the promise settles.
   */
  onRevoked(partitions: number[]): Promise<void>;
  /** Another member owns these now: stop at once, without committing. */
  onLost(partitions: number[], reason: string): Promise<void>;
}

/** Options of a {@link GroupMember}. */
export interface GroupMemberOptions {
  db: Db;
  clock: ServerClock;
  groupId: string;
  topic: string;
  memberId: string;
  partitionCount: number;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  writeConcern: WriteConcernSettings;
  logger: BrokerLogger;
  listener: GroupMemberListener;
}

/**
 * One member of a consumer group on one topic. It registers in MongoDB,
 * heartbeats on a timer (independent of handler progress), and reconciles
 * ownership: every member computes the same range assignment from the
 * list of live members, releases what is no longer its own, and claims
 * what is assigned to it once the previous owner released it or its lease
 * expired. A claim raises the partition's generation, which fences the
 * previous owner's offset commits.
 */
export class GroupMember {
  private readonly members: Collection<MemberDocument>;
  private readonly ownership: Collection<OwnershipDocument>;
  private readonly owned = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  private reconcileAgain = false;
  private lastHeartbeatOk = Date.now();
  private heartbeatFailures = 0;
  private active = false;

  constructor(private readonly options: GroupMemberOptions) {
    this.members = options.db.collection<MemberDocument>(
      InternalCollections.members,
    );
    this.ownership = options.db.collection<OwnershipDocument>(
      InternalCollections.partitions,
    );
  }

  get memberId(): string {
    return this.options.memberId;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  get topic(): string {
    return this.options.topic;
  }

  /** Partitions owned right now. */
  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Ownership generation of an owned partition. */
  generationOf(partition: number): number | undefined {
    return this.owned.get(partition);
  }

  /** Registers the member, claims its first partitions and starts heartbeats. */
  async join(): Promise<void> {
    this.active = true;
    await this.heartbeat();
    await this.options.clock.sync();
    this.options.logger.info('Joined consumer group');
    this.options.listener.onJoined();
    await this.reconcile();
    this.scheduleTick();
  }

  /**
   * Leaves the group: hands every partition over (finishing and committing
   * first), releases them and deletes the member document, so the other
   * members take over at once instead of after the session timeout.
   */
  async leave(): Promise<void> {
    if (!this.active) {
      return;
    }
    this.active = false;
    clearTimeout(this.timer);
    await this.reconciling;

    const partitions = this.ownedPartitions();
    if (partitions.length > 0) {
      await this.options.listener.onRevoked(partitions);
      await this.release(partitions);
    }
    await this.members.deleteOne(
      { _id: this.memberId },
      { writeConcern: this.options.writeConcern },
    );
    this.options.logger.info('Left consumer group');
  }

  /** Forgets ownership without writing (the process is going away). */
  abandon(): void {
    this.active = false;
    clearTimeout(this.timer);
    this.owned.clear();
  }

  /** Asks for a reconcile soon (after a membership change elsewhere). */
  requestReconcile(): void {
    if (this.active) {
      void this.reconcile();
    }
  }

  /** Runs one reconcile, or queues one behind the running one. */
  reconcile(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    this.reconciling = this.reconcileLoop().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private scheduleTick(): void {
    if (!this.active) {
      return;
    }
    this.timer = setTimeout(() => {
      void this.tick()
        .catch((error: unknown) =>
          this.options.logger.error('Heartbeat tick failed', { error }),
        )
        .finally(() => this.scheduleTick());
    }, this.options.heartbeatIntervalMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.heartbeat();
    } catch (error) {
      this.heartbeatFailures += 1;
      const silentForMs = Date.now() - this.lastHeartbeatOk;
      this.options.logger.warn('Heartbeat failed; retrying', {
        attempt: this.heartbeatFailures,
        silentForMs,
        error,
      });
      if (silentForMs > this.options.sessionTimeoutMs && this.owned.size > 0) {
        // The other members consider this one dead by now; stop
        // processing before they take the partitions over.
        await this.lose(
          this.ownedPartitions(),
          'heartbeats failed for longer than the session timeout',
        );
      }
      return;
    }
    // Not awaited: a long hand-over must not delay the next heartbeat.
    void this.reconcile();
  }

  private async heartbeat(): Promise<void> {
    const { groupId, topic, memberId, writeConcern } = this.options;
    await this.members.updateOne(
      { _id: memberId },
      {
        $set: { group: groupId, topic, host: hostname(), pid: process.pid },
        $currentDate: { heartbeatAt: true },
        $setOnInsert: { joinedAt: new Date() },
      },
      { upsert: true, writeConcern },
    );
    if (this.owned.size > 0) {
      await this.ownership.updateMany(
        { group: groupId, topic, owner: memberId },
        { $currentDate: { leaseAt: true } },
        { writeConcern },
      );
    }
    this.lastHeartbeatOk = Date.now();
    if (this.heartbeatFailures > 0) {
      this.options.logger.info('Heartbeats restored', {
        failedAttempts: this.heartbeatFailures,
      });
      this.heartbeatFailures = 0;
    }
  }

  private async reconcileLoop(): Promise<void> {
    do {
      this.reconcileAgain = false;
      if (!this.active) {
        return;
      }
      try {
        await this.reconcileOnce();
      } catch (error) {
        this.options.logger.warn(
          'Rebalance check failed; retrying on the next heartbeat',
          {
            error,
          },
        );
      }
    } while (this.reconcileAgain && this.active);
  }

  private async reconcileOnce(): Promise<void> {
    const { groupId, topic, memberId, sessionTimeoutMs } = this.options;
    const liveSince = new Date(this.options.clock.now() - sessionTimeoutMs);

    const live = await this.members
      .find({ group: groupId, topic, heartbeatAt: { $gte: liveSince } })
      .project<{ _id: string }>({ _id: 1 })
      .toArray();
    const memberIds = live.map((member) => member._id);
    if (!memberIds.includes(memberId)) {
      if (this.owned.size > 0) {
        await this.lose(
          this.ownedPartitions(),
          'this member missed its session timeout',
        );
      }
      return;
    }

    const target = new Set(
      assignRanges(memberIds, this.options.partitionCount).get(memberId) ?? [],
    );
    const documents = await this.ownership
      .find({ group: groupId, topic })
      .toArray();
    const byPartition = new Map(
      documents.map((document) => [document.partition, document]),
    );

    const lost = this.ownedPartitions().filter((partition) => {
      const document = byPartition.get(partition);
      return (
        !document ||
        document.owner !== memberId ||
        document.generation !== this.owned.get(partition)
      );
    });
    if (lost.length > 0) {
      await this.lose(lost, 'another member took the partitions over');
    }

    const revoked = this.ownedPartitions().filter(
      (partition) => !target.has(partition),
    );
    if (revoked.length > 0) {
      this.options.logger.info('Rebalancing: handing partitions over', {
        partitions: revoked,
        members: memberIds.length,
      });
      await this.options.listener.onRevoked(revoked);
      await this.release(revoked);
    }

    if (!this.active) {
      // Leaving: claim nothing more.
      return;
    }
    const claims: PartitionClaim[] = [];
    for (const partition of target) {
      if (this.owned.has(partition)) {
        continue;
      }
      const document = byPartition.get(partition);
      if (
        document?.owner &&
        document.owner !== memberId &&
        document.leaseAt >= liveSince
      ) {
        continue;
      }
      const generation = await this.claim(partition, liveSince);
      if (generation !== undefined) {
        claims.push({ partition, generation });
        this.owned.set(partition, generation);
      }
    }
    if (claims.length > 0) {
      this.options.logger.info('Rebalancing: claimed partitions', {
        partitions: claims.map((claim) => claim.partition),
        members: memberIds.length,
      });
      await this.options.listener.onAssigned(claims);
    }
  }

  private async claim(
    partition: number,
    liveSince: Date,
  ): Promise<number | undefined> {
    const { groupId, topic, memberId, writeConcern } = this.options;
    const key: OwnershipKey = { g: groupId, t: topic, p: partition };
    let previous: OwnershipDocument | null;
    try {
      previous = await this.ownership.findOneAndUpdate(
        {
          _id: key,
          $or: [
            { owner: null },
            { owner: memberId },
            { leaseAt: { $lt: liveSince } },
          ],
        },
        {
          $set: { group: groupId, topic, partition, owner: memberId },
          $unset: { session: '' },
          $currentDate: { leaseAt: true },
          $inc: { generation: 1 },
        },
        { upsert: true, returnDocument: 'before', writeConcern },
      );
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
        return undefined;
      }
      throw error;
    }
    if (previous?.owner && previous.owner !== memberId && previous.session) {
      await this.killSession(partition, previous.owner, previous.session);
    }
    return (previous?.generation ?? 0) + 1;
  }

  /**
   * Kills the transaction session of a previous owner that did not release
   * the partition, so a transaction it left open cannot hold locks on the
   * partition's offset until the server's transaction lifetime limit.
   */
  private async killSession(
    partition: number,
    previousOwner: string,
    session: Document,
  ): Promise<void> {
    try {
      await this.options.db.admin().command({ killSessions: [session] });
      this.options.logger.info(
        "Killed the previous owner's transaction session",
        { partition, previousOwner },
      );
    } catch (error) {
      this.options.logger.warn(
        "Failed to kill the previous owner's transaction session. Its open " +
          'transaction, if any, blocks the partition until the server aborts it',
        { partition, previousOwner, error },
      );
    }
  }

  /**
   * Stores the session a partition's transactions run in, so that a member
   * taking the partition over can kill it.
   */
  async announceSession(partition: number, session: Document): Promise<void> {
    const { groupId, topic, memberId, writeConcern } = this.options;
    const result = await this.ownership.updateOne(
      {
        _id: { g: groupId, t: topic, p: partition },
        owner: memberId,
        generation: this.owned.get(partition),
      },
      { $set: { session } },
      { writeConcern },
    );
    if (result.matchedCount === 0) {
      throw new OffsetFencedError(
        { groupId, topic, partition },
        this.owned.get(partition) ?? 0,
      );
    }
  }

  private async release(partitions: number[]): Promise<void> {
    const { groupId, topic, memberId, writeConcern } = this.options;
    for (const partition of partitions) {
      const generation = this.owned.get(partition);
      this.owned.delete(partition);
      await this.ownership.updateOne(
        {
          _id: { g: groupId, t: topic, p: partition },
          owner: memberId,
          generation,
        },
        { $set: { owner: null } },
        { writeConcern },
      );
    }
  }

  private async lose(partitions: number[], reason: string): Promise<void> {
    for (const partition of partitions) {
      this.owned.delete(partition);
    }
    this.options.logger.warn('Lost partitions', { partitions, reason });
    await this.options.listener.onLost(partitions, reason);
  }
}
