import { randomBytes } from 'node:crypto';
import { TransactionOptions } from 'mongodb';
import { TypedEmitter } from 'tiny-typed-emitter';
import {
  idBefore,
  positionAt,
  validateOffsetTarget,
} from '../offsets/offset-target';
import { validatePartition } from '../topics/partition-number';
import { optionalChoice, optionalInteger } from '../config/validate';
import {
  ChangeStreamBrokerError,
  ConfigurationError,
  HistoryLostError,
  InvalidHandlerError,
  InvalidStateError,
  OffsetMismatchError,
  PartitionNotOwnedError,
} from '../errors';
import { GroupMember, PartitionClaim } from '../group/group-member';
import { withContext, type BrokerLogger } from '../logging/broker-logger';
import type { OffsetCommit } from '../offsets/offset-storage';
import type { LastMessage, PartitionPosition } from '../offsets/position';
import type { ChangeStreamProducer } from '../producer/producer';
import { probeCurrentToken } from '../stream/stream-pipeline';
import { RecordTicket, TopicReader } from '../stream/topic-reader';
import { backoffDelay } from '../util/backoff';
import { delay } from '../util/delay';
import { settleWithin } from '../util/settle-within';
import type { ConsumerContext } from './consumer-context';
import {
  ConsumerConfig,
  resolveConsumerConfig,
  ResolvedConsumerConfig,
} from './consumer-config';
import type { ConsumerEvents, ConsumerEventSource } from './consumer-events';
import type { ConsumerRecord } from './consumer-record';
import type { IChangeStreamConsumer } from './consumer.interface';
import type { MessageHandlerConfig } from './message-handler';
import { OffsetCommitter } from './offset-committer';
import {
  DispatchItem,
  PartitionDispatcher,
  ProcessOutcome,
} from './partition-dispatcher';
import { PartitionSessions } from './partition-sessions';
import { RecordProcessor } from './record-processor';

/** Target of `seek`: the earliest retained message, now, or a time. */
export type SeekTarget = 'earliest' | 'latest' | Date;

type ConsumerState =
  'created' | 'connected' | 'running' | 'stopping' | 'stopped';

const DEFAULT_TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'majority' },
  writeConcern: { w: 'majority' },
};

function createMemberId(clientId: string): string {
  const safe = clientId.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 64);
  return `${safe}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * A member of a consumer group on one topic. Create it with
 * `broker.createConsumer()`, then `subscribe()` a handler.
 */
export class ChangeStreamConsumer
  extends TypedEmitter<ConsumerEvents>
  implements IChangeStreamConsumer
{
  private readonly config: ResolvedConsumerConfig;
  private readonly memberId: string;
  private readonly logger: BrokerLogger;
  private readonly source: ConsumerEventSource;
  private state: ConsumerState = 'created';
  private member?: GroupMember;
  private reader?: TopicReader;
  private sessions?: PartitionSessions;
  private dispatcher?: PartitionDispatcher;
  private committer?: OffsetCommitter;
  private autoCommit = true;
  private autoCommitTimer?: NodeJS.Timeout;
  private finishedSinceCommit = 0;
  private incarnation?: string;
  private unwatch?: () => void;
  private readonly stoppedPartitions = new Set<number>();
  private repositioning = Promise.resolve();
  /** History losses since the last processed record; paces recoveries. */
  private historyLostStreak = 0;
  /** Aborted when the consumer stops, to end its pending waits. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly context: ConsumerContext,
    config: ConsumerConfig,
    defaults: { heartbeatIntervalMs: number; sessionTimeoutMs: number },
  ) {
    super();
    this.config = resolveConsumerConfig(config, defaults);
    this.memberId = createMemberId(context.clientId);
    this.source = {
      groupId: this.config.groupId,
      topic: this.config.topic,
      memberId: this.memberId,
    };
    this.logger = withContext(context.logger, 'ChangeStreamConsumer', {
      ...this.source,
    });
  }

  getConsumerId(): string {
    return this.memberId;
  }

  getGroupId(): string {
    return this.config.groupId;
  }

  getTopic(): string {
    return this.config.topic;
  }

  /** Partitions this consumer owns right now. */
  assignment(): number[] {
    return this.member?.ownedPartitions() ?? [];
  }

  /** Number of change streams this consumer has open right now. */
  streamCount(): number {
    return this.reader?.streamCount() ?? 0;
  }

  async connect(): Promise<void> {
    this.context.assertConnected('connect a consumer');
    if (this.state === 'created') {
      this.state = 'connected';
    }
  }

  async subscribe<T = unknown>(config: MessageHandlerConfig<T>): Promise<void> {
    if (typeof config !== 'object' || config === null) {
      throw new InvalidHandlerError(
        'Invalid handler configuration: expected { handler }.',
      );
    }
    if (typeof config.handler !== 'function') {
      throw new InvalidHandlerError(
        `Invalid handler for topic "${this.config.topic}": expected a ` +
          `function, got ${config.handler === null ? 'null' : typeof config.handler}.`,
      );
    }
    if (
      config.errorHandler !== undefined &&
      typeof config.errorHandler !== 'function'
    ) {
      throw new InvalidHandlerError(
        `Invalid errorHandler for topic "${this.config.topic}": expected a ` +
          `function, got ${typeof config.errorHandler}.`,
      );
    }
    await this.connect();
    if (this.state !== 'connected') {
      throw new InvalidStateError(
        `Cannot subscribe: the consumer of group "${this.config.groupId}" ` +
          `is ${this.state}. Create a new consumer to subscribe again.`,
      );
    }
    this.state = 'running';
    try {
      await this.start(config as MessageHandlerConfig);
    } catch (error) {
      this.state = 'connected';
      await this.teardown();
      throw error;
    }
  }

  /** Stops reading new records; handlers already running finish. */
  pause(): void {
    this.dispatcher?.pause();
    this.logger.info('Paused');
  }

  /** Resumes reading after {@link pause}. */
  resume(): void {
    this.dispatcher?.resume();
    this.logger.info('Resumed');
  }

  /** Whether the consumer is paused. */
  isPaused(): boolean {
    return this.dispatcher?.isPaused ?? false;
  }

  async commitOffsets(): Promise<void> {
    if (!this.committer || !this.member) {
      return;
    }
    await this.committer.commit(this.member.ownedPartitions());
  }

  /**
   * Moves an owned partition to the earliest retained message, to now, or
   * to the first message produced at or after a time (second precision).
   * The new position is committed at once.
   */
  async seek(partition: number, to: SeekTarget): Promise<void> {
    validatePartition(
      this.config.topic,
      partition,
      this.context.metadata.partitions,
    );
    validateOffsetTarget('seek target', to);
    const member = this.member;
    const generation = member?.generationOf(partition);
    if (!member || generation === undefined) {
      throw new PartitionNotOwnedError({
        groupId: this.config.groupId,
        topic: this.config.topic,
        partition,
      });
    }
    await this.reposition([partition], () =>
      positionAt(to, this.context.collection),
    );
    this.logger.info('Moved the partition', {
      partition,
      to: to instanceof Date ? to.toISOString() : to,
    });
  }

  async disconnect(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') {
      return;
    }
    if (this.state !== 'running') {
      this.state = 'stopped';
      this.context.onClosed(this);
      return;
    }
    this.state = 'stopping';
    this.logger.info('Stopping');
    this.dispatcher?.pause();
    clearInterval(this.autoCommitTimer);
    try {
      await this.member?.leave();
    } catch (error) {
      this.logger.error('Failed to leave the group cleanly', { error });
    }
    await this.teardown();
    this.state = 'stopped';
    this.emit('consumer.left', this.source);
    this.context.onClosed(this);
    this.logger.info('Stopped');
  }

  /** Stops without committing or leaving (used when the broker is closed). */
  async abort(): Promise<void> {
    this.member?.abandon();
    await this.teardown();
    this.state = 'stopped';
  }

  private async start(config: MessageHandlerConfig): Promise<void> {
    const { context } = this;
    const transaction =
      config.transactional === true
        ? DEFAULT_TRANSACTION_OPTIONS
        : config.transactional || undefined;
    if (transaction && !context.storage.supportsTransactions) {
      throw new ConfigurationError(
        'Transactional handlers need an offset storage that joins ' +
          'MongoDB transactions; use MongoOffsetStorage (the default).',
      );
    }
    this.autoCommit = config.autoCommit ?? this.config.autoCommit;
    const deadLetter = await this.createDeadLetterProducer(config);
    this.incarnation = await this.readIncarnation();

    const member = new GroupMember({
      db: context.db,
      clock: context.clock,
      groupId: this.config.groupId,
      topic: this.config.topic,
      memberId: this.memberId,
      partitionCount: context.metadata.partitions,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      writeConcern: context.writeConcern,
      logger: withContext(context.logger, 'ConsumerGroup', { ...this.source }),
      listener: {
        onJoined: () => this.emit('consumer.joined', this.source),
        onAssigned: (claims) => this.onAssigned(claims),
        onRevoked: (partitions) => this.onRevoked(partitions),
        onLost: (partitions, reason) => this.onLost(partitions, reason),
      },
    });
    const reader = new TopicReader({
      topic: this.config.topic,
      instanceId: this.memberId,
      partitionCount: context.metadata.partitions,
      collection: context.collection,
      logger: withContext(context.logger, 'TopicReader', { ...this.source }),
      slots: context.slots,
      settings: {
        batchSize: this.config.batchSize,
        maxAwaitTimeMS: this.config.maxAwaitTimeMS,
        stallTimeoutMs: this.config.streamStallTimeoutMs,
        replayBatchSize: Math.min(this.config.maxBufferedRecords, 1_000),
        initialRetryDelayMs: context.retryDelayMs,
        maxRetryDelayMs: context.maxRetryDelayMs,
        maxRetries: context.maxRetries,
      },
      host: {
        hasCapacity: () => this.dispatcher!.hasCapacity(),
        waitForCapacity: () => this.dispatcher!.waitForCapacity(),
        deliver: (record, ticket) =>
          this.dispatcher!.enqueue({ record, ticket }),
        onHistoryLost: (partitions, error) =>
          this.onHistoryLost(partitions, error),
        onFatal: (partitions, error) => this.onFatal(partitions, error),
        onStreamFailing: (error) =>
          this.emit('consumer.error', this.source, error as Error),
        onInvalidated: (operation) => this.onInvalidated(operation),
        onRecreated: () => void this.onRecreated(),
      },
    });
    const committer = new OffsetCommitter({
      storage: context.storage,
      groupId: this.config.groupId,
      topic: this.config.topic,
      memberId: this.memberId,
      logger: this.logger,
      reader,
      generationOf: (partition) => member.generationOf(partition),
      incarnation: () => this.incarnation,
      onFenced: (partitions) =>
        this.loseInBackground(partitions, 'an offset commit was fenced'),
      onCommitted: (partitions) =>
        this.emit('consumer.offsets.committed', this.source, partitions),
    });
    const sessions = new PartitionSessions(context.client, (partition, id) =>
      member.announceSession(partition, id),
    );
    this.sessions = sessions;
    const processor = new RecordProcessor({
      handler: config.handler as RecordProcessor['options']['handler'],
      errorHandler:
        config.errorHandler as RecordProcessor['options']['errorHandler'],
      maxRetries: optionalInteger('maxRetries', config.maxRetries, 3, 0),
      retryDelay: optionalInteger('retryDelay', config.retryDelay, 1_000, 0),
      maxRetryDelay: optionalInteger(
        'maxRetryDelay',
        config.maxRetryDelay,
        30_000,
        0,
      ),
      onFailure: optionalChoice(
        'onFailure',
        config.onFailure,
        ['dead-letter', 'stop'],
        'dead-letter',
      ),
      deadLetter,
      transaction,
      sessions,
      committer,
      logger: this.logger,
      deadLetterRetryDelayMs: context.retryDelayMs,
    });
    this.dispatcher = new PartitionDispatcher({
      concurrency: this.config.partitionsConsumedConcurrently,
      maxBuffered: this.config.maxBufferedRecords,
      process: processor.process,
      onOutcome: (item, outcome) => this.onOutcome(item, outcome),
      onUnexpectedError: (item, error) => {
        this.logger.error('Record processing failed unexpectedly', {
          partition: item.ticket.partition,
          messageId: item.ticket.messageId,
          error,
        });
        this.emit('consumer.error', this.source, error as Error);
        this.stopPartition(item.ticket.partition, 'an unexpected error');
      },
    });
    this.reader = reader;
    this.committer = committer;
    this.member = member;

    this.unwatch = context.watchMembership(member);
    await member.join();
    if (this.autoCommit) {
      this.autoCommitTimer = setInterval(
        () => void this.commitInBackground(),
        this.config.autoCommitIntervalMs,
      );
    }
    this.logger.info('Subscribed', {
      transactional: transaction !== undefined,
      deadLetterTopic: deadLetter?.getTopic() ?? false,
    });
  }

  private async createDeadLetterProducer(
    config: MessageHandlerConfig,
  ): Promise<ChangeStreamProducer | undefined> {
    const onFailure = config.onFailure ?? 'dead-letter';
    if (config.deadLetterTopic === false || onFailure === 'stop') {
      return undefined;
    }
    const topic = config.deadLetterTopic ?? `${this.config.topic}.dlq`;
    if (topic === this.config.topic) {
      throw new ConfigurationError(
        `Invalid deadLetterTopic "${topic}": it is the topic being read. ` +
          'Choose another topic or false.',
      );
    }
    return this.context.createProducer({ topic });
  }

  private async readIncarnation(): Promise<string | undefined> {
    const [collection] = await this.context.db
      .listCollections({ name: this.config.topic })
      .toArray();
    const uuid = (
      collection as { info?: { uuid?: { toString(encoding: 'hex'): string } } }
    )?.info?.uuid;
    return uuid?.toString('hex');
  }

  private async teardown(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.autoCommitTimer);
    this.unwatch?.();
    this.unwatch = undefined;
    this.dispatcher?.releaseWaiters();
    await this.reader?.stop();
    await this.sessions?.endAll();
  }

  private async commitInBackground(): Promise<void> {
    if (this.state !== 'running') {
      return;
    }
    try {
      this.finishedSinceCommit = 0;
      await this.commitOffsets();
    } catch (error) {
      this.logger.warn('Offset commit failed; retrying on the next interval', {
        error,
      });
    }
  }

  private onOutcome(item: DispatchItem, outcome: ProcessOutcome): void {
    const partition = item.ticket.partition;
    if (outcome === 'stopped') {
      this.stopPartition(partition, 'the handler failed on every attempt');
      return;
    }
    if (outcome === 'fenced') {
      this.loseInBackground([partition], 'an offset commit was fenced');
      return;
    }
    if (outcome === 'abandoned') {
      return;
    }
    this.historyLostStreak = 0;
    this.finishedSinceCommit += 1;
    const threshold = this.config.autoCommitThreshold;
    if (
      this.autoCommit &&
      threshold !== undefined &&
      this.finishedSinceCommit >= threshold
    ) {
      void this.commitInBackground();
    }
  }

  private loseInBackground(partitions: number[], reason: string): void {
    this.onLost(partitions, reason).catch((error: unknown) => {
      this.logger.error('Failed to stop lost partitions', {
        partitions,
        error,
      });
      this.emit('consumer.error', this.source, error as Error);
    });
  }

  private stopPartition(partition: number, reason: string): void {
    this.stoppedPartitions.add(partition);
    this.reader?.detach(partition);
    this.emit('consumer.partition.stopped', this.source, partition, reason);
  }

  private async onAssigned(claims: PartitionClaim[]): Promise<void> {
    const storage = this.context.storage;
    const stored = await Promise.all(
      claims.map(({ partition, generation }) =>
        storage.fence(
          this.config.groupId,
          this.config.topic,
          partition,
          generation,
        ),
      ),
    );

    const assignments = [];
    const fresh: PartitionClaim[] = [];
    let initial: PartitionPosition | undefined;
    for (const [index, claim] of claims.entries()) {
      const commit = stored[index];
      this.stoppedPartitions.delete(claim.partition);
      const problem = commit ? this.checkStored(commit) : undefined;
      if (problem) {
        this.reportUnusableOffset(claim.partition, problem);
        continue;
      }
      let position = commit?.position;
      if (!position) {
        // Every new partition of this claim starts at the same place.
        initial ??= await this.initialPosition();
        position = initial;
        fresh.push(claim);
      }
      assignments.push({
        partition: claim.partition,
        position,
        lastMessage: commit?.lastMessage,
      });
    }
    if (initial && fresh.length > 0) {
      // Stored at once, so a restart before the first commit still starts
      // here instead of at "now" again.
      await this.committer!.commitPositions(
        fresh.map(({ partition, generation }) => ({
          partition,
          position: initial!,
          generation,
        })),
      );
    }
    this.reader!.assign(assignments);
    const partitions = claims.map((claim) => claim.partition);
    this.emit('consumer.partitions.assigned', this.source, partitions);
  }

  private async initialPosition(): Promise<PartitionPosition> {
    if (this.config.fromBeginning) {
      return { kind: 'replay' };
    }
    return {
      kind: 'token',
      token: await probeCurrentToken(this.context.collection),
    };
  }

  private checkStored(stored: OffsetCommit): string | undefined {
    if (stored.topic !== this.config.topic) {
      return `it belongs to topic "${stored.topic}"`;
    }
    const position = stored.position;
    const continuesAfterDrop =
      position?.kind === 'token' && position.startAfter;
    if (
      stored.incarnation !== undefined &&
      this.incarnation !== undefined &&
      stored.incarnation !== this.incarnation &&
      !continuesAfterDrop
    ) {
      return (
        `it was written for collection ${stored.incarnation}, but the topic ` +
        `is now collection ${this.incarnation} (dropped and created again)`
      );
    }
    return undefined;
  }

  private reportUnusableOffset(partition: number, detail: string): void {
    const error = new OffsetMismatchError(
      { groupId: this.config.groupId, topic: this.config.topic, partition },
      detail,
    );
    this.logger.error('Refusing a stored offset; the partition stays stopped', {
      partition,
      error,
    });
    this.stoppedPartitions.add(partition);
    this.emit('consumer.error', this.source, error);
    this.emit(
      'consumer.partition.stopped',
      this.source,
      partition,
      error.message,
    );
  }

  private async onRevoked(partitions: number[]): Promise<void> {
    const reader = this.reader!;
    const dispatcher = this.dispatcher!;
    partitions.forEach((partition) => reader.detach(partition));
    const drained = Promise.all(
      partitions.map((partition) => dispatcher.drain(partition)),
    );
    const finished = await settleWithin(drained, this.config.shutdownTimeoutMs);
    if (!finished) {
      this.logger.warn(
        'Handlers did not finish within shutdownTimeoutMs; their records ' +
          'will be delivered again',
        { partitions, shutdownTimeoutMs: this.config.shutdownTimeoutMs },
      );
    }
    try {
      await this.committer!.commit(partitions);
    } catch (error) {
      this.logger.error('Failed to commit before handing partitions over', {
        partitions,
        error,
      });
    }
    for (const partition of partitions) {
      reader.forget(partition);
      this.committer!.forget(partition);
      this.stoppedPartitions.delete(partition);
      await this.sessions?.end(partition);
    }
    this.emit('consumer.partitions.revoked', this.source, partitions);
  }

  private async onLost(partitions: number[], reason: string): Promise<void> {
    const reader = this.reader;
    const dispatcher = this.dispatcher;
    if (!reader || !dispatcher) {
      return;
    }
    this.member?.requestReconcile();
    partitions.forEach((partition) => reader.detach(partition));
    this.emit('consumer.partitions.lost', this.source, partitions, reason);
    const drained = Promise.all(
      partitions.map((partition) => dispatcher.drain(partition)),
    );
    // Ending a session aborts its open transaction: a handler still running
    // for a lost partition cannot commit anything.
    await Promise.all(
      partitions.map((partition) => this.sessions?.end(partition)),
    );
    await drained;
    for (const partition of partitions) {
      reader.forget(partition);
      this.committer?.forget(partition);
      this.stoppedPartitions.delete(partition);
    }
  }

  /**
   * Replaces the position of owned partitions: stops reading them, waits
   * for their handlers, computes the new position, commits it and reads
   * from there. Calls are serialized.
   */
  private reposition(
    partitions: number[],
    choose: (
      partition: number,
      last: LastMessage | undefined,
    ) => Promise<PartitionPosition>,
  ): Promise<void> {
    const run = async (): Promise<void> => {
      const reader = this.reader!;
      const dispatcher = this.dispatcher!;
      const assignments = [];
      partitions.forEach((partition) => reader.detach(partition));
      for (const partition of partitions) {
        await dispatcher.drain(partition);
        const generation = this.member?.generationOf(partition);
        const lastMessage = reader.lastMessage(partition);
        reader.forget(partition);
        this.committer!.forget(partition);
        if (generation === undefined) {
          continue;
        }
        const position = await choose(partition, lastMessage);
        await this.committer!.commitPositions([
          { partition, position, lastMessage, generation },
        ]);
        assignments.push({ partition, position, lastMessage });
      }
      reader.assign(assignments);
    };
    this.repositioning = this.repositioning.then(run, run);
    return this.repositioning;
  }

  private onHistoryLost(partitions: number[], cause: unknown): void {
    const policy = this.config.onHistoryLost;
    const error = new HistoryLostError(
      {
        groupId: this.config.groupId,
        topic: this.config.topic,
        partition: partitions[0],
      },
      cause,
    );
    this.logger.error('The stored offset fell off the change history', {
      partitions,
      policy,
      error,
    });
    this.emit('consumer.error', this.source, error);
    if (policy === 'fail') {
      partitions.forEach((partition) =>
        this.stopPartition(partition, error.message),
      );
      return;
    }
    const margin = this.config.historyLostReplayMarginMs;
    this.historyLostStreak += 1;
    // A recovery that loses its history again right away waits longer each
    // time instead of looping.
    const pause =
      this.historyLostStreak > 1
        ? backoffDelay(this.historyLostStreak - 1, {
            initialDelayMs: this.context.retryDelayMs,
            maxDelayMs: this.context.maxRetryDelayMs,
          })
        : 0;
    void delay(pause, this.stopping.signal)
      .then(() =>
        this.stopping.signal.aborted
          ? undefined
          : this.recoverHistory(partitions, policy, margin),
      )
      .catch((repositionError: unknown) => {
        this.logger.error('Failed to recover from lost change history', {
          partitions,
          error: repositionError,
        });
        this.emit('consumer.error', this.source, repositionError as Error);
      });
  }

  private recoverHistory(
    partitions: number[],
    policy: 'replay' | 'latest',
    margin: number,
  ): Promise<void> {
    return this.reposition(partitions, async (partition, last) => {
      if (policy === 'latest') {
        const token = await probeCurrentToken(this.context.collection);
        this.logger.error(
          'Skipped to the latest message: messages in the gap are not delivered',
          { partition, lastMessageId: last?.id },
        );
        return { kind: 'token', token };
      }
      const afterId = last
        ? idBefore(last.timestamp.getTime() - margin)
        : undefined;
      this.logger.warn(
        'Replaying retained messages after the last processed one',
        {
          partition,
          lastMessageId: last?.id,
          afterId,
        },
      );
      return { kind: 'replay', afterId };
    });
  }

  private onFatal(partitions: number[], cause: unknown): void {
    const error =
      cause instanceof ChangeStreamBrokerError
        ? cause
        : new OffsetMismatchError(
            {
              groupId: this.config.groupId,
              topic: this.config.topic,
              partition: partitions[0],
            },
            `the server rejected its resume token (${(cause as Error).message})`,
          );
    this.logger.error('Cannot resume the partitions; they stay stopped', {
      partitions,
      error,
    });
    this.emit('consumer.error', this.source, error);
    partitions.forEach((partition) =>
      this.stopPartition(partition, error.message),
    );
  }

  private onInvalidated(operation: string): void {
    this.logger.warn(
      'The topic collection was dropped or renamed; waiting for it to be ' +
        'created again',
      { operation },
    );
    this.emit('consumer.topic.invalidated', this.source, operation);
  }

  private async onRecreated(): Promise<void> {
    this.incarnation = await this.readIncarnation().catch(
      () => this.incarnation,
    );
    this.logger.info('The topic exists again; continuing after the drop', {
      incarnation: this.incarnation,
    });
  }
}

export type { ConsumerRecord, RecordTicket };
